return await MlacRelease.Cli.MlacCommandLine.RunAsync(args);
