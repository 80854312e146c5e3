using Microsoft.Extensions.Logging;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Tests.Output;

public class NoticeLoggerFactoryTests
{
    [Fact]
    public void What_the_library_logs_is_printed_as_one_line_notices_and_debug_lines_are_dropped()
    {
        var error = new StringWriter { NewLine = "\n" };
        var logger = new NoticeLoggerFactory(new CliConsole(TextWriter.Null, error, isTerminal: false)).CreateLogger<OnnxModel>();

        logger.LogWarning("CUDA not available ({Reason}); using CPU", "libcudnn.so.9: cannot open\nshared object file");
        logger.LogDebug("session options: {Options}", "spinning off");

        // The template is the test's own; the whole line is compared because prefix, escaping and newline are the behaviour.
        Assert.Equal("infer: CUDA not available (libcudnn.so.9: cannot open\\x0Ashared object file); using CPU\n", error.ToString());
    }
}
