using System.Text.Json;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests.Commands;

/// <summary>Every command that loads a model refuses one that fails its integrity record, unless told --no-verify.</summary>
public sealed class IntegrityTests : IDisposable
{
    // The top exponent bit of w[0]: 1/28 becomes about 1e37.
    private const long ExponentBit = 30;

    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string CorruptModel(string folder = "tiny")
    {
        var model = _files.ImageModel(folder: folder, withIntegrity: true);
        ModelCorruption.FlipInitializerBit(model, "w", ExponentBit);
        return model;
    }

    /// <summary>The one refusal line names the model, the failed check and the way out; its wording is pinned in <c>InferMessageWordingTests</c>.</summary>
    private static void AssertRefused(CliResult r, string model) => r.AssertOneErrorLineNaming($"{model}: ", "integrity", "--no-verify");

    /// <summary>The value on the <c>info</c> row whose key is <paramref name="key"/>.</summary>
    private static string Row(string output, string key)
    {
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith(key + " ", StringComparison.Ordinal));
        return line[key.Length..].Trim();
    }

    private string[][] LoadingCommands(string model)
    {
        var png = _files.Png("one.png", 1);
        var csv = _files.Text("one.csv", "1,1\n");
        return
        [
            ["classify", "--provider", "cpu", "--model", model, "--raw", png],
            ["eval", "--provider", "cpu", "--model", model, "--dataset", _files.IdxDataset("idx")],
            ["predict", "--provider", "cpu", "--model", model, csv],
            ["bench", "--provider", "cpu", "--model", model, "--seconds", "0.01", "--process-runs", "0"],
        ];
    }

    [Fact]
    public void Every_command_that_loads_a_corrupted_model_exits_1_with_one_line()
    {
        var model = CorruptModel();

        foreach (var args in LoadingCommands(model))
        {
            var r = CliRun.Infer(args);

            Assert.Equal(1, r.ExitCode);
            Assert.Equal("", r.Out);
            AssertRefused(r, model);
        }
    }

    [Fact]
    public void Eval_all_reports_a_corrupted_model_as_failed_and_exits_2()
    {
        var model = CorruptModel(folder: "models/tiny");

        var r = CliRun.Infer("eval-all", "--provider", "cpu", "--artifacts", _files.PathOf("models"));

        Assert.Equal(2, r.ExitCode);
        AssertRefused(r, model);
        Assert.EndsWith("failed", r.OutLines.Single(l => l.StartsWith("tiny ", StringComparison.Ordinal)));
    }

    [Fact]
    public void No_verify_loads_the_corrupted_model_and_runs_it()
    {
        var model = CorruptModel();
        var seven = _files.Png("seven.png", 7);

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", "--no-verify", seven);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        // The corrupted weight multiplies the first pixel, which is dark in this image: the answer is still right.
        Assert.Equal("digit 7", r.OutLines.Single().Split('\t')[1]);
    }

    [Fact]
    public void An_intact_model_with_a_record_and_an_old_model_without_one_both_classify()
    {
        var intact = _files.ImageModel(folder: "intact", withIntegrity: true);
        var old = _files.ImageModel(folder: "old");
        var png = _files.Png("three.png", 3);

        foreach (var model in new[] { intact, old })
        {
            var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", png);

            Assert.Equal(0, r.ExitCode);
            Assert.Equal("", r.Error);
            Assert.Equal("digit 3", r.OutLines.Single().Split('\t')[1]);
        }
    }

    [Fact]
    public void Info_shows_verified_failed_or_not_recorded_and_exits_0()
    {
        var intact = _files.ImageModel(folder: "intact", withIntegrity: true);
        var corrupt = CorruptModel();
        var old = _files.ImageModel(folder: "old");

        var verified = CliRun.Infer("info", "--model", intact);
        var failed = CliRun.Infer("info", "--model", corrupt);
        var notRecorded = CliRun.Infer("info", "--model", old);

        Assert.Equal(0, verified.ExitCode);
        var status = Row(verified.Out, "integrity");
        Assert.StartsWith("verified: ", status);
        Assert.Matches("[0-9a-f]{12}", status);
        Assert.All(["4 reference outputs", "0.0001", "cpu"], fact => Assert.Contains(fact, status));
        var reference = Row(verified.Out, "toolchain.integrity.reference");
        Assert.All(["4 inputs", "784 float32", "'logits'", "10"], fact => Assert.Contains(fact, reference));
        Assert.Matches("^[0-9a-f]{64}$", Row(verified.Out, "toolchain.integrity.graph_sha256"));
        Assert.Equal(0, failed.ExitCode);
        Assert.StartsWith("failed: ", Row(failed.Out, "integrity"));
        Assert.Contains("digest", Row(failed.Out, "integrity"));
        Assert.Equal(0, notRecorded.ExitCode);
        Assert.StartsWith("not recorded", Row(notRecorded.Out, "integrity"));
        Assert.Equal("(not set)", Row(notRecorded.Out, "toolchain.integrity.graph_sha256"));
    }

    [Fact]
    public void Info_in_json_mode_gives_the_integrity_status_and_detail()
    {
        var corrupt = CorruptModel();

        var r = CliRun.Infer("info", "--model", corrupt, "--json");

        using var doc = JsonDocument.Parse(r.OutLines.Single());
        var integrity = doc.RootElement.GetProperty("integrity");
        Assert.Equal("failed", integrity.GetProperty("status").GetString());
        Assert.Contains("digest", integrity.GetProperty("detail").GetString());
    }
}
