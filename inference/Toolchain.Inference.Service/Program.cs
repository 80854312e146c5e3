using Toolchain.Inference.Service;

var app = ServiceApp.Build(args);
await app.RunAsync();
