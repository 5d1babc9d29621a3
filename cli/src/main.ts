console.log("tributary: not implemented yet");
process.exitCode = 2;
