using System.Text;
using System.Text.Json;
using Toolchain.Shared.Cards;
using Toolchain.Shared.Errors;
using Toolchain.Shared.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Sequential = TorchSharp.Modules.Sequential;

namespace Toolchain.Trainer.Training;

/// <summary>A checkpoint read back: the rebuilt network with its weights, the spec, input shape and the model card so far.</summary>
/// <param name="Model">The network in eval mode, in the element type it was trained in.</param>
/// <param name="Spec">The architecture spec stored with it.</param>
/// <param name="InputShape">Input shape without batch axis.</param>
/// <param name="Card">The card as recorded at the last completed epoch.</param>
/// <param name="Epoch">Last completed epoch.</param>
/// <param name="DatasetSpec">The --dataset value that was resolved, so export can load verification inputs.</param>
public sealed record LoadedCheckpoint(Sequential Model, ArchitectureSpec Spec, IReadOnlyList<long> InputShape, ModelCard Card, int Epoch, string DatasetSpec);

/// <summary>
/// Reads and writes training checkpoints (model, optimizer, epoch, RNG state, spec and card), atomically.
/// A checkpoint is one file: a magic line, a JSON header (options, card, history, position) and three binary
/// sections (CPU RNG state, TorchSharp module state, optimizer state), each length-prefixed.
/// </summary>
public static class Checkpoint
{
    /// <summary>The checkpoint's file name inside an output folder.</summary>
    public const string FileName = "checkpoint.ckpt";

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("TOOLCHAIN-CHECKPOINT 1\n");
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Loads the checkpoint at <paramref name="path"/> for export or evaluation.</summary>
    public static LoadedCheckpoint Load(string path)
    {
        var contents = Read(path);
        var spec = ParseSpec(path, contents.Architecture);
        var model = TrainingRun.BuildModel(spec, contents.InputShape, contents.Options.ElementType, CPU);
        contents.LoadWeights(model);
        model.eval();
        return new LoadedCheckpoint(model, spec, contents.InputShape, contents.Card, contents.Epoch, contents.DatasetSpec);
    }

    /// <summary>Writes <paramref name="run"/> with its card to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, TrainingRun run, ModelCard card, string datasetSpec)
    {
        var header = new CheckpointHeader(
            run.Options, run.Spec.Canonical, [.. run.InputShape],
            new Dictionary<string, string>(card.ToMetadata()), run.CompletedEpochs, datasetSpec, run.InitSeed,
            run.History, run.Cursor);
        byte[] rng, weights, optimizer;
        using (var state = get_rng_state())
        {
            rng = state.data<byte>().ToArray();
        }
        using (var ms = new MemoryStream())
        {
            using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
            {
                run.Model.save(w);
            }
            weights = ms.ToArray();
        }
        using (var ms = new MemoryStream())
        {
            using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
            {
                run.Optimizer.save_state_dict(w);
            }
            optimizer = ms.ToArray();
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(header, Json);
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            foreach (var section in new[] { json, rng, weights, optimizer })
            {
                w.Write(section.LongLength);
                w.Write(section);
            }
        });
    }

    /// <summary>Reads everything a resumed run needs; throws <see cref="InvalidInputFileException"/> for a bad file.</summary>
    public static CheckpointContents Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidInputFileException(path, "no such checkpoint");
        }
        try
        {
            using var stream = File.OpenRead(path);
            using var r = new BinaryReader(stream);
            var magic = r.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
            {
                throw new InvalidInputFileException(path, "is not a trainer checkpoint");
            }
            byte[] Section()
            {
                long length = r.ReadInt64();
                if (length < 0 || length > stream.Length - stream.Position)
                {
                    throw new InvalidInputFileException(path, "is truncated");
                }
                return r.ReadBytes((int)length);
            }
            var header = JsonSerializer.Deserialize<CheckpointHeader>(Section(), Json)
                ?? throw new InvalidInputFileException(path, "has an empty header");
            var rng = Section();
            var weights = Section();
            var optimizer = Section();
            var card = ModelCard.FromMetadata(header.Card) ?? throw new InvalidInputFileException(path, "has no model card");
            return new CheckpointContents(path, header, card, rng, weights, optimizer);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidInputFileException(path, "is truncated");
        }
        catch (Exception e) when (e is JsonException or FormatException or NotSupportedException)
        {
            throw new InvalidInputFileException(path, $"has a damaged header ({e.Message})");
        }
    }

    private static ArchitectureSpec ParseSpec(string path, string text)
    {
        try
        {
            return ArchitectureSpec.Parse(text);
        }
        catch (SpecParseException e)
        {
            throw new InvalidInputFileException(path, $"stores an unreadable architecture: {e.OneLine}");
        }
    }
}

/// <summary>The JSON part of a checkpoint.</summary>
internal sealed record CheckpointHeader(
    TrainingOptions Options, string Architecture, long[] InputShape, Dictionary<string, string> Card, int Epoch,
    string DatasetSpec, long InitSeed, List<EpochRecord> History, EpochCursor? Cursor);

/// <summary>A checkpoint file read into memory, before any of it is applied.</summary>
public sealed class CheckpointContents
{
    private readonly byte[] _rng, _weights, _optimizer;
    private readonly string _path;

    internal CheckpointContents(string path, CheckpointHeader header, ModelCard card, byte[] rng, byte[] weights, byte[] optimizer)
    {
        _path = path;
        Options = header.Options;
        Architecture = header.Architecture;
        InputShape = header.InputShape;
        Card = card;
        Epoch = header.Epoch;
        DatasetSpec = header.DatasetSpec;
        InitSeed = header.InitSeed;
        History = header.History;
        Cursor = header.Cursor;
        _rng = rng;
        _weights = weights;
        _optimizer = optimizer;
    }

    /// <summary>The run's options.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Canonical architecture spec.</summary>
    public string Architecture { get; }

    /// <summary>Input shape without the batch axis.</summary>
    public long[] InputShape { get; }

    /// <summary>The model card at the last checkpoint.</summary>
    public ModelCard Card { get; }

    /// <summary>Completed epochs.</summary>
    public int Epoch { get; }

    /// <summary>The resolved dataset: a catalog name, a folder, or "xor".</summary>
    public string DatasetSpec { get; }

    /// <summary>The torch seed the stored initialisation started from.</summary>
    public long InitSeed { get; }

    /// <summary>History rows so far.</summary>
    public IReadOnlyList<EpochRecord> History { get; }

    /// <summary>The unfinished epoch, if stopped mid-epoch.</summary>
    public EpochCursor? Cursor { get; }

    /// <summary>Loads the stored weights into <paramref name="model"/> (built from the same spec, on the CPU).</summary>
    public void LoadWeights(Sequential model)
    {
        try
        {
            using var r = new BinaryReader(new MemoryStream(_weights));
            model.load(r, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidInputFileException(_path, $"weights do not match the architecture ({e.Message})");
        }
    }

    /// <summary>Loads the stored optimizer state into <paramref name="optimizer"/>.</summary>
    public void LoadOptimizerState(OptimizerHelper optimizer)
    {
        try
        {
            using var r = new BinaryReader(new MemoryStream(_optimizer));
            optimizer.load_state_dict(r);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidInputFileException(_path, $"optimizer state does not match ({e.Message})");
        }
    }

    /// <summary>Restores the CPU generator to its state when the checkpoint was written.</summary>
    public void RestoreRandomState()
    {
        using var state = tensor(_rng, ScalarType.Byte);
        set_rng_state(state);
    }
}
