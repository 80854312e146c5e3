using Toolchain.Inference.Runtime;
using Toolchain.Inference.Service;

OrtProcessLogging.UseErrorsOnly();

var app = ServiceApp.Build(args);
await app.RunAsync();
