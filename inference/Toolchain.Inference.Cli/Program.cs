using Toolchain.Inference.Cli;

return InferCli.Run(args);
