using Toolchain.Trainer.Cli;

return TrainerCli.Run(args);
