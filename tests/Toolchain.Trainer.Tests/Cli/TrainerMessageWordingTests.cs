using Toolchain.Trainer.Cli;
using Toolchain.Trainer.Tests.Training;

namespace Toolchain.Trainer.Tests.Cli;

/// <summary>
/// The exact wording of a few representative trainer messages, pinned on purpose: a usage error, a value error, an
/// unknown recipe value, an architecture error, a bad input file and an advisory note. Every other test asserts exit codes and the facts a
/// message must carry (<see cref="TrainCommandTests.OneLineNaming"/>), so rewording a message changes only this class.
/// </summary>
[Collection(TorchRandomState.Name)]
public class TrainerMessageWordingTests
{
    private static string Error(Func<TextWriter, TextWriter, int> run)
    {
        var error = new StringWriter();
        Assert.Equal(1, run(new StringWriter(), error));
        return error.ToString();
    }

    private static string Train(params string[] args) => Error((o, e) => TrainCommand.Run(args, o, e, CancellationToken.None));

    // Pinned: the usage form shared with infer; it must keep pointing at the command's own --help.
    [Fact]
    public void An_unknown_option() =>
        Assert.Equal("trainer train: unknown option '--epohcs' (see 'trainer train --help')\n", Train("xor", "--epohcs", "3"));

    // Pinned: a value error names the option, the allowed range and the value given, as every value error should.
    [Fact]
    public void A_value_out_of_range() =>
        Assert.Equal("trainer train: --epochs must be from 1 to 1000000, not 0\n", Train("mlp", "--epochs", "0"));

    // Pinned: an architecture error says how to fix the spec (the layers to end with), not only what is wrong.
    [Fact]
    public void An_unknown_recipe_value() =>
        Assert.Equal("trainer train: --optimizer: unknown optimizer 'rmsprop' (known: sgd, adam)\n", Train("mlp", "--optimizer", "RMSprop"));

    [Fact]
    public void A_network_with_the_wrong_output() =>
        Assert.Equal("trainer train: arch: the network ends in [2] but xor needs [1] (one probability); end with linear(1) sigmoid\n",
            Train("xor", "--arch", "linear(3) sigmoid linear(2)", "--out", Path.GetTempPath(), "--epochs", "1"));

    // Pinned: "trainer COMMAND: PATH: problem" is the form every bad-file error of the trainer takes.
    [Fact]
    public void A_missing_checkpoint() =>
        Assert.Equal("trainer export: /nowhere/checkpoint.ckpt: no such checkpoint\n",
            Error((o, e) => ExportCommand.Run(["--checkpoint", "/nowhere/checkpoint.ckpt"], o, e)));

    // Pinned: the one advisory note a first-time user is likely to meet; it names the flag that avoids the stall.
    [Fact]
    public void The_stalled_xor_note()
    {
        using var dir = new TempDir();
        var error = new StringWriter();

        Assert.Equal(0, TrainCommand.Run(["xor", "--seed", "2", "--out", dir.Path, "--no-export", "-q"], new StringWriter(), error, CancellationToken.None));
        Assert.Equal("trainer train: note: xor reached only 50.25% training accuracy after 200 epochs: a small sigmoid net can stall " +
            "in a local minimum from this initialisation; --restarts 5 keeps the best of 5\n", error.ToString());
    }
}
