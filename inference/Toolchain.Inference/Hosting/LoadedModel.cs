using Toolchain.Contracts;
using Toolchain.Imaging;
using Toolchain.Inference.Batching;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>
/// One loaded model with a reference count: the source that publishes it holds one reference and each lease one more.
/// The native session is disposed when the count reaches zero, i.e. once it is no longer current and every request
/// that started on it has finished.
/// </summary>
internal sealed class LoadedModel
{
    private readonly bool _ownsModel;
    private int _references = 1;

    /// <summary>
    /// Holds <paramref name="model"/>; tensor requests on it may carry up to <paramref name="maxBatchSize"/> rows unless
    /// the graph is fixed at a batch size.
    /// </summary>
    public LoadedModel(OnnxModel model, ModelVersion version, PreprocessingMode? preprocessingMode, bool ownsModel, ImageLimits? imageLimits = null,
        int maxBatchSize = BatchingDefaults.MaxBatchSize)
    {
        Model = model;
        Version = version;
        _ownsModel = ownsModel;
        Images = IsImageModel(model) ? new ImageClassifier(model, preprocessingMode, imageLimits: imageLimits) : null;
        MaxRows = model.FixedBatch > 0 ? model.FixedBatch : maxBatchSize;
    }

    public OnnxModel Model { get; }

    /// <summary>The most rows one tensor request may carry: the graph's fixed batch size, else the batch limit.</summary>
    public int MaxRows { get; }

    public ImageClassifier? Images { get; }

    public ModelVersion Version { get; }

    /// <summary>The host that published it, so that a lease handed back to a classifier can be told to be its own.</summary>
    public object? Owner { get; init; }

    /// <summary>Raised once, after the model has been disposed.</summary>
    public Action<LoadedModel>? Released { get; init; }

    /// <summary>Takes a reference unless the model has already been released for good.</summary>
    public bool TryAddReference()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            if (_ownsModel)
            {
                Model.Dispose();
            }
            Released?.Invoke(this);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("model released more often than it was acquired");
        }
    }

    /// <summary>
    /// Whether encoded pictures can be fed to the model: a 28×28 single-channel digit model, or a model trained on an
    /// image folder, whose card gives its channels and size.
    /// </summary>
    public static bool IsImageModel(OnnxModel model) => ImageClassifier.TakesImages(model.Info);

    /// <summary>Why a model that is not an image model cannot classify images.</summary>
    public static string NotAnImageModel(OnnxModel model) => model.Info.Task == ModelTask.Regression
        ? $"the model is a regression model on {model.FeatureCount} features (predicting {string.Join(", ", model.Info.Card.TargetNames)}), and its input [{string.Join(',', model.Info.InputShape)}] is not a 28×28 single-channel image, so it cannot classify images"
        : $"the model's input [{string.Join(',', model.Info.InputShape)}] is not a 28×28 single-channel image, so it cannot classify images";
}
