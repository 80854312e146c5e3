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
    public static TheoryData<string, string> BadHeaders() => new()
    {
        { "card-null", "checkpoint header has no model card" },
        { "card-missing", "checkpoint header has no model card" },
        { "options-null", "checkpoint header has no training options" },
        { "options-missing", "checkpoint header has no training options" },
        { "architecture-null", "checkpoint header has no architecture" },
        { "input-shape-null", "checkpoint header has no input shape" },
        { "input-shape-empty", "input shape [] is neither [features] nor [channels,height,width]" },
        { "input-shape-negative", "input shape [-1] is not a positive shape" },
        { "input-shape-zero", "input shape [0] is not a positive shape" },
        { "input-shape-huge", "input shape [2147483647] needs 34359738392 bytes of weights for linear(2) sigmoid linear(1) sigmoid but the checkpoint stores 119" },
        { "dataset-null", "checkpoint header has no dataset" },
        { "history-null", "checkpoint header has no history" },
        { "epoch-negative", "completed epoch count -3 is negative" },
        { "element-type-bad", "has a damaged header ('int8' is not float32, float64 or uint8)" },
        { "model-null", "has a damaged header (no model given)" },
        { "optimizer-bad", "has a damaged header (unknown optimizer 'rmsprop' (known: sgd, adam))" },
        { "lr-schedule-number", "has a damaged header (the schedule is not text)" },
        { "architecture-wider", "its options' architecture 'linear(2) sigmoid linear(1) sigmoid' differs from its stored architecture 'linear(5) sigmoid linear(1) sigmoid'" },
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
