using static TorchSharp.torch;

namespace Toolchain.Trainer.Training;

/// <summary>Which recipe options the user set, so that defaults fitted to the data leave them alone.</summary>
/// <param name="Architecture">--arch was given.</param>
/// <param name="Epochs">--epochs was given.</param>
/// <param name="Augment">--augment was given.</param>
/// <param name="Loss">--loss was given.</param>
public sealed record GivenOptions(bool Architecture = false, bool Epochs = false, bool Augment = false, bool Loss = false);

/// <summary>
/// What a <see cref="TrainingSession"/> needs: resolved options (or a checkpoint to resume), where to write, the
/// device, and the two seams of the pipeline: how the data is loaded and which kind of network trains on it.
/// </summary>
public sealed record TrainingRequest
{
    /// <summary>The run's options (a resumed run's come from its checkpoint).</summary>
    public required TrainingOptions Options { get; init; }

    /// <summary>The checkpoint to continue, or null for a fresh run.</summary>
    public CheckpointContents? Resume { get; init; }

    /// <summary>The folder every artifact goes to.</summary>
    public required string OutDir { get; init; }

    /// <summary>Where catalog datasets live.</summary>
    public required string DataRoot { get; init; }

    /// <summary>The training device.</summary>
    public required Device Device { get; init; }

    /// <summary>Torch CPU threads, recorded in metrics.json.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Which options the user set.</summary>
    public GivenOptions Given { get; init; } = new();

    /// <summary>Where decoded image folders are cached, or null for none.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Told (done, total) while an image folder is decoded, or null.</summary>
    public Action<int, int>? DecodeProgress { get; init; }

    /// <summary>
    /// Loads the data: <see cref="TrainingDataLoader.Load(DataRequest, Device, Action{string}?)"/> by default; the
    /// transfer path loads cached backbone features instead. Returns the data and the dataset spec to record.
    /// </summary>
    public Func<DataRequest, Device, Action<string>?, (TrainingData Data, string Resolved)> LoadData { get; init; } = TrainingDataLoader.Load;

    /// <summary>
    /// The network for the fitted options and the loaded data: null for the options' architecture spec
    /// (<see cref="ModelTrainer.SpecModel"/>); the transfer path gives an imported backbone with a head.
    /// </summary>
    public Func<TrainingOptions, TrainingData, IModelKind>? ModelKind { get; init; }
}
