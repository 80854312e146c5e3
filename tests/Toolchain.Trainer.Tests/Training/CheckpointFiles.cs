using System.Text;
using System.Text.Json.Nodes;
using Toolchain.Trainer.Cli;
using Toolchain.Trainer.Training;

namespace Toolchain.Trainer.Tests.Training;

/// <summary>One real xor checkpoint (one epoch), trained once per test class, and damaged copies of it.</summary>
public sealed class XorCheckpointFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public XorCheckpointFixture()
    {
        var error = new StringWriter();
        int code = TrainCommand.Run(["xor", "--epochs", "1", "--out", _dir.Path, "--no-export", "-q"], new StringWriter(), error, CancellationToken.None);
        Assert.True(code == 0, error.ToString());
        Good = File.ReadAllBytes(System.IO.Path.Combine(_dir.Path, Checkpoint.FileName));
    }

    /// <summary>The checkpoint's bytes.</summary>
    public byte[] Good { get; }

    public void Dispose() => _dir.Dispose();
}

/// <summary>Reads and rewrites the sections of a checkpoint file: magic line, then length-prefixed header, RNG, weights, optimizer.</summary>
internal static class CheckpointFiles
{
    public const int MagicLength = 23; // "TOOLCHAIN-CHECKPOINT 1\n"

    public static List<byte[]> Sections(byte[] file)
    {
        var sections = new List<byte[]>();
        int at = MagicLength;
        while (at < file.Length)
        {
            long n = BitConverter.ToInt64(file, at);
            sections.Add(file[(at + 8)..(at + 8 + (int)n)]);
            at += 8 + (int)n;
        }
        return sections;
    }

    public static byte[] Join(byte[] file, IEnumerable<byte[]> sections)
    {
        using var ms = new MemoryStream();
        ms.Write(file, 0, MagicLength);
        foreach (var s in sections)
        {
            ms.Write(BitConverter.GetBytes((long)s.Length));
            ms.Write(s);
        }
        return ms.ToArray();
    }

    /// <summary>The checkpoint with its JSON header changed by <paramref name="edit"/>, framed correctly.</summary>
    public static byte[] WithHeader(byte[] file, Action<JsonObject> edit)
    {
        var sections = Sections(file);
        var header = JsonNode.Parse(sections[0])!.AsObject();
        edit(header);
        sections[0] = Encoding.UTF8.GetBytes(header.ToJsonString());
        return Join(file, sections);
    }

    /// <summary>Header edits that the fuzzing pass found crashing the trainer, with the problem each must report.</summary>
    /// <summary>Each header edit and the facts its one-line refusal must name: the missing field, or the bad value and the limit.</summary>
    public static TheoryData<string, string[]> BadHeaders() => new()
    {
        { "card-null", ["model card"] },
        { "card-missing", ["model card"] },
        { "options-null", ["training options"] },
        { "options-missing", ["training options"] },
        { "architecture-null", ["architecture"] },
        { "input-shape-null", ["input shape"] },
        { "input-shape-empty", ["input shape", "[]"] },
        { "input-shape-negative", ["input shape", "[-1]"] },
        { "input-shape-zero", ["input shape", "[0]"] },
        { "input-shape-huge", ["[2147483647]", "34359738392 bytes", "119"] },
        { "dataset-null", ["dataset"] },
        { "history-null", ["history"] },
        { "epoch-negative", ["epoch", "-3"] },
        { "element-type-bad", ["'int8'", "float32, float64 or uint8"] },
        { "model-null", ["damaged header", "no model given"] },
        { "optimizer-bad", ["damaged header", "'rmsprop'", "sgd, adam"] },
        { "lr-schedule-number", ["damaged header", "schedule is not text"] },
        { "architecture-wider", ["'linear(2) sigmoid linear(1) sigmoid'", "'linear(5) sigmoid linear(1) sigmoid'"] },
    };

    public static Action<JsonObject> Edit(string name) => name switch
    {
        "card-null" => h => h["Card"] = null,
        "card-missing" => h => h.Remove("Card"),
        "options-null" => h => h["Options"] = null,
        "options-missing" => h => h.Remove("Options"),
        "architecture-null" => h => h["Architecture"] = null,
        "input-shape-null" => h => h["InputShape"] = null,
        "input-shape-empty" => h => h["InputShape"] = new JsonArray(),
        "input-shape-negative" => h => h["InputShape"] = new JsonArray(-1),
        "input-shape-zero" => h => h["InputShape"] = new JsonArray(0),
        "input-shape-huge" => h => h["InputShape"] = new JsonArray(int.MaxValue),
        "dataset-null" => h => h["DatasetSpec"] = null,
        "history-null" => h => h["History"] = null,
        "epoch-negative" => h => h["Epoch"] = -3,
        "element-type-bad" => h => h["Options"]!["ElementType"] = "int8",
        "model-null" => h => h["Options"]!["Model"] = null,
        "optimizer-bad" => h => h["Options"]!["Optimizer"] = "rmsprop",
        "lr-schedule-number" => h => h["Options"]!["LrSchedule"] = 1,
        "architecture-wider" => h => h["Architecture"] = "linear(5) sigmoid linear(1) sigmoid",
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}
