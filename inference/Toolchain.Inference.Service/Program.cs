using Toolchain.Inference.Runtime;
using Toolchain.Inference.Service;

if (ServiceApp.WantsHelp(args))
{
    Console.WriteLine(ServiceApp.Usage);
    return;
}

OrtProcessLogging.UseErrorsOnly();

var app = ServiceApp.Build(args);
await app.RunAsync();
