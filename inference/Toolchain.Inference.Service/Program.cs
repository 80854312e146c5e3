using Toolchain.Inference.Service;

if (ServiceApp.WantsHelp(args))
{
    Console.WriteLine(ServiceApp.Usage);
    return 0;
}

try
{
    // Inside the try: configuration that cannot be used (a model repository that is not one) is one line too.
    await using var app = ServiceApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (IOException e) when (ServiceApp.BindFailure(e) is { } reason)
{
    // Kestrel's own text is right but arrives as an unhandled exception with a stack trace.
    Console.Error.WriteLine($"Toolchain.Inference.Service: {reason}");
    return 1;
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    Console.Error.WriteLine($"Toolchain.Inference.Service: cannot start ({e.GetType().Name}): {e.Message.Split('\n', 2)[0].Trim()}");
    return 1;
}
