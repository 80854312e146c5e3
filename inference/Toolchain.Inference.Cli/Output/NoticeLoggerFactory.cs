using Microsoft.Extensions.Logging;

namespace Toolchain.Inference.Cli.Output;

/// <summary>
/// Turns what the inference library logs (e.g. why CUDA was not used) into the CLI's one-line notices on standard error,
/// "infer: ..." like every other notice. Information and above; the library's debug chatter is not for users.
/// </summary>
internal sealed class NoticeLoggerFactory(CliConsole console) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new NoticeLogger(console);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("the CLI prints library notices itself");

    public void Dispose()
    {
    }

    private sealed class NoticeLogger(CliConsole console) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                console.Notice(formatter(state, exception));
            }
        }
    }
}
