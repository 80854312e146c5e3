using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Imaging;
using Toolchain.Trainer.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Sequential = TorchSharp.Modules.Sequential;

namespace Toolchain.Trainer.Training;

/// <summary>A checkpoint read back: the rebuilt network with its weights, the spec, input shape and the model card so far.</summary>
/// <param name="Path">The checkpoint file, as given.</param>
/// <param name="Model">The network in eval mode, in the element type it was trained in.</param>
/// <param name="Spec">The architecture spec stored with it.</param>
/// <param name="InputShape">Input shape without batch axis.</param>
/// <param name="Card">The card as recorded at the last completed epoch.</param>
/// <param name="Epoch">Last completed epoch.</param>
/// <param name="DatasetSpec">The --dataset value that was resolved, so export can load verification inputs.</param>
public sealed record LoadedCheckpoint(string Path, Sequential Model, ArchitectureSpec Spec, IReadOnlyList<long> InputShape, ModelCard Card, int Epoch, string DatasetSpec)
{
    /// <summary>The options the run was trained with (label column, split and image options decide how its data is read again).</summary>
    public TrainingOptions? Options { get; init; }

    /// <summary>Throws <see cref="InvalidInputFileException"/> unless <paramref name="data"/> has the input shape the model was built for.</summary>
    public void CheckFits(TrainingData data) => Checkpoint.RequireInputShape(Path, InputShape, data);
}

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
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, Converters = { new CheckpointEnumConverter() } };

    /// <summary>Loads the checkpoint at <paramref name="path"/> for export or evaluation.</summary>
    public static LoadedCheckpoint Load(string path)
    {
        var contents = Read(path);
        var model = TrainingRun.BuildModel(contents.Spec, contents.InputShape, contents.Options.ElementType, CPU);
        try
        {
            contents.LoadWeights(model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return new LoadedCheckpoint(path, model, contents.Spec, contents.InputShape, contents.Card, contents.Epoch, contents.DatasetSpec) { Options = contents.Options };
    }

    /// <summary>Writes <paramref name="run"/> with its card to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, TrainingRun run, ModelCard card, string datasetSpec)
    {
        var header = new CheckpointHeader(
            run.Options, run.Architecture, [.. run.InputShape],
            new Dictionary<string, string>(card.ToMetadata()), run.CompletedEpochs, datasetSpec, run.InitSeed,
            run.History, run.Cursor)
        {
            BestEpoch = run.BestEpoch,
            StoppedEarly = run.StoppedEarly,
            RestoredBest = run.RestoredBest,
            HasBestWeights = run.BestWeights is not null,
        };
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
        // The best epoch's weights, kept for early stopping, follow as an optional fifth section.
        byte[][] sections = run.BestWeights is { } best ? [json, rng, weights, optimizer, best] : [json, rng, weights, optimizer];
        // Known up front so that a full disk can be told how much room the checkpoint needs.
        long length = Magic.Length + sections.Sum(s => sizeof(long) + s.LongLength);
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            foreach (var section in sections)
            {
                w.Write(section.LongLength);
                w.Write(section);
            }
        }, length);
    }

    /// <summary>Reads everything a resumed run needs; throws <see cref="InvalidInputFileException"/> for a bad file.</summary>
    public static CheckpointContents Read(string path)
    {
        RequireRegularFile(path);
        try
        {
            using var stream = File.OpenRead(path);
            using var r = new BinaryReader(stream);
            var magic = r.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
            {
                throw new InvalidInputFileException(path, "is not a trainer checkpoint");
            }
            byte[] Section(string name)
            {
                long length = r.ReadInt64();
                long left = stream.Length - stream.Position;
                if (length < 0)
                {
                    throw new InvalidInputFileException(path, $"is corrupt: its {name} section has a negative length");
                }
                if (length > left)
                {
                    // There is no checksum: a cut-off file and a damaged length field look the same from here.
                    throw new InvalidInputFileException(path, $"is truncated or corrupt: its {name} section needs {length} bytes but {left} remain");
                }
                return r.ReadBytes((int)length);
            }
            var json = Section("header");
            var rng = Section("random-state");
            var weights = Section("weights");
            var optimizer = Section("optimizer");
            var header = JsonSerializer.Deserialize<CheckpointHeader>(json, Json)
                ?? throw new InvalidInputFileException(path, "has an empty header");
            var best = header.HasBestWeights ? Section("best-weights") : null;
            if (stream.Position != stream.Length)
            {
                throw new InvalidInputFileException(path, $"is corrupt: {stream.Length - stream.Position} bytes follow its last section");
            }
            var (spec, card) = header.Validate(path, weights.LongLength);
            if (rng.LongLength != RandomStateLength.Value)
            {
                throw new InvalidInputFileException(path, $"is corrupt: its random state is {rng.LongLength} bytes, not {RandomStateLength.Value}");
            }
            if (header.BestEpoch is { } bestEpoch && (bestEpoch < 1 || bestEpoch > header.Epoch))
            {
                throw new InvalidInputFileException(path, $"is corrupt: its best epoch {bestEpoch} is not one of its {header.Epoch} trained epochs");
            }
            return new CheckpointContents(path, header, spec, card, rng, weights, optimizer) { BestWeights = best };
        }
        catch (EndOfStreamException)
        {
            throw new InvalidInputFileException(path, "is truncated");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new InvalidInputFileException(path, $"has a damaged header ({e.Message})");
        }
    }

    /// <summary>Throws unless <paramref name="data"/> has the input shape a checkpoint's network was built for.</summary>
    internal static void RequireInputShape(string path, IReadOnlyList<long> inputShape, TrainingData data)
    {
        if (!data.InputShape.SequenceEqual(inputShape))
        {
            throw new InvalidInputFileException(path,
                $"was trained on inputs of shape {ArchitectureSpec.FormatShape(inputShape)} but {data.Name} has {ArchitectureSpec.FormatShape(data.InputShape)}");
        }
    }

    /// <summary>The size of torch's CPU generator state, which a stored random state must have.</summary>
    private static readonly Lazy<long> RandomStateLength = new(() =>
    {
        using var state = get_rng_state();
        return state.NumberOfElements;
    });

    /// <summary>
    /// Refuses what cannot be a checkpoint before opening it: opening a named pipe blocks until something writes to it,
    /// and a pipe or device reports a length of 0, like an empty file.
    /// </summary>
    private static void RequireRegularFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidInputFileException(path, "is a directory, not a checkpoint");
        }
        if (!File.Exists(path))
        {
            throw new InvalidInputFileException(path, "no such checkpoint");
        }
        if (FileKindProbe.NotRegularProblem(path) is { } notRegular)
        {
            throw new InvalidInputFileException(path, notRegular);
        }
        if (new FileInfo(path).Length == 0)
        {
            throw new InvalidInputFileException(path, "is empty (0 bytes), not a checkpoint");
        }
    }
}

/// <summary>A checkpoint file read into memory, before any of it is applied.</summary>
public sealed class CheckpointContents
{
    private readonly byte[] _rng, _weights, _optimizer;
    private readonly string _path;

    internal CheckpointContents(string path, CheckpointHeader header, ArchitectureSpec spec, ModelCard card, byte[] rng, byte[] weights, byte[] optimizer)
    {
        _path = path;
        Options = header.Options;
        Architecture = header.Architecture;
        Spec = spec;
        InputShape = header.InputShape;
        Card = card;
        Epoch = header.Epoch;
        DatasetSpec = header.DatasetSpec;
        InitSeed = header.InitSeed;
        History = header.History;
        Cursor = header.Cursor;
        BestEpoch = header.BestEpoch;
        StoppedEarly = header.StoppedEarly;
        RestoredBest = header.RestoredBest;
        _rng = rng;
        _weights = weights;
        _optimizer = optimizer;
    }

    /// <summary>The run's options.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Canonical architecture spec.</summary>
    public string Architecture { get; }

    /// <summary>The architecture, parsed.</summary>
    public ArchitectureSpec Spec { get; }

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

    /// <summary>The epoch of the lowest validation loss so far, if the run validates.</summary>
    public int? BestEpoch { get; }

    /// <summary>Whether early stopping ended the run.</summary>
    public bool StoppedEarly { get; }

    /// <summary>Whether the stored weights are the best epoch's, brought back at the end.</summary>
    public bool RestoredBest { get; }

    /// <summary>The best epoch's serialised weights, kept for early stopping; null when not kept.</summary>
    public byte[]? BestWeights { get; init; }

    /// <summary>Loads the stored weights into <paramref name="model"/> (built from the same spec, on the CPU).</summary>
    public void LoadWeights(nn.Module model)
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

    /// <summary>
    /// Checks that <paramref name="data"/> is what this checkpoint was trained on, as far as resuming depends on it:
    /// the input shape the weights were built for and the example count of an unfinished epoch's order.
    /// </summary>
    public void CheckFits(TrainingData data)
    {
        Checkpoint.RequireInputShape(_path, InputShape, data);
        if (Cursor is { } c && c.Permutation.Length != data.TrainCount)
        {
            throw new InvalidInputFileException(_path,
                $"its unfinished epoch orders {c.Permutation.Length} examples but {data.Name} has {data.TrainCount} training examples");
        }
    }

    /// <summary>Restores the CPU generator to its state when the checkpoint was written.</summary>
    public void RestoreRandomState()
    {
        using var state = tensor(_rng, ScalarType.Byte);
        try
        {
            set_rng_state(state);
        }
        catch (ExternalException e)
        {
            throw new InvalidInputFileException(_path, $"is corrupt: torch refuses its random state ({FirstLine(e.Message)})", e);
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
