using Toolchain.Contracts;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Imaging;

/// <summary>
/// A model and the preprocessing its card asks for: image file or bytes in, <see cref="Prediction"/> out.
/// Thread-safe, like the model it wraps.
/// </summary>
public sealed class ImageClassifier : IDisposable
{
    private readonly bool _ownsModel;

    /// <summary>
    /// Wraps <paramref name="model"/>, an image model: a 28×28 single-channel digit model, or one whose card gives its
    /// channels, size and normalisation (trained on an image folder, any size and colour). <paramref name="mode"/> overrides the card's
    /// preprocessing mode. The model is disposed with this instance only when
    /// <paramref name="ownsModel"/>. Images over <paramref name="imageLimits"/> (default <see cref="ImageLimits.Default"/>)
    /// are refused before decoding.
    /// </summary>
    public ImageClassifier(OnnxModel model, PreprocessingMode? mode = null, bool ownsModel = false, ImageLimits? imageLimits = null)
    {
        var shape = model.Info.InputShape;
        if (UsesCropResize(model, mode))
        {
            // A model trained on an image folder: the card's channels, size and per-channel normalisation, as in training.
            int channels = (int)shape[1];
            _crop = new CropResizePreprocessor(channels, (int)shape[2], (int)shape[3], imageLimits);
            var card = model.Info.Card!;
            // A graph that normalises its own uint8 input takes pixels 0-255, as on the digit path below: (p - 0) / (1/255).
            (_means, _stds) = card is { NormalizationInGraph: true, ElementType: ElementType.UInt8 }
                ? (new double[channels], Enumerable.Repeat(1.0 / 255, channels).ToArray())
                : card.NormalizationFor(channels);
        }
        else if (shape.Count != 4 || shape[1] != 1 || shape[2] != 28 || shape[3] != 28)
        {
            throw new ToolchainException(
                $"the model's input [{string.Join(',', shape)}] is not a 28×28 single-channel image, so it cannot classify image files");
        }
        Model = model;
        // A graph that normalises its own input (a uint8 export) takes pixels 0-255: (p/255 - 0) / (1/255) = p.
        var (mean, std) = model.Info.Card is { NormalizationInGraph: true } ? (0.0, 1.0 / 255) : (model.Info.Mean, model.Info.Std);
        Preprocessor = new DigitPreprocessor(mode ?? model.Info.PreprocessingMode, mean, std, imageLimits);
        _ownsModel = ownsModel;
    }

    private readonly CropResizePreprocessor? _crop;
    private readonly double[] _means = [], _stds = [];

    /// <summary>
    /// Whether <paramref name="model"/> takes images as its card says they were trained (an image-folder model in
    /// <see cref="PreprocessingMode.Resize"/>): any channels and size, resized and centre-cropped.
    /// </summary>
    internal static bool UsesCropResize(OnnxModel model, PreprocessingMode? mode = null) =>
        model.Info.Card is { PixelConvention: ModelCard.StoredPixels } card && model.Info.InputShape.Count == 4
        && (mode ?? card.PreprocessingMode) == PreprocessingMode.Resize;

    /// <summary>Values one image becomes: the model's C×H×W.</summary>
    internal int InputLength => _crop?.OutputLength ?? DigitPreprocessor.OutputLength;

    /// <summary>Decodes and prepares one encoded image into <paramref name="destination"/> (<see cref="InputLength"/> values).</summary>
    internal void Prepare(ReadOnlySpan<byte> encoded, string name, Span<float> destination)
    {
        if (_crop is null)
        {
            PixelNormalizer.Normalize(Preprocessor.ToMnistBytes(encoded, name), Preprocessor.Mean, Preprocessor.Std, destination);
            return;
        }
        var bytes = _crop.ToBytes(encoded, name);
        int plane = _crop.Height * _crop.Width;
        for (int c = 0; c < _crop.Channels; c++)
        {
            PixelNormalizer.Normalize(bytes.AsSpan(c * plane, plane), _means[c], _stds[c], destination.Slice(c * plane, plane));
        }
    }

    private Prediction ClassifyEncoded(ReadOnlySpan<byte> encoded, string name, CancellationToken cancellationToken)
    {
        var floats = new float[InputLength];
        Prepare(encoded, name, floats);
        return Model.Classify(floats, 1, cancellationToken)[0];
    }

    /// <summary>The model.</summary>
    public OnnxModel Model { get; }

    /// <summary>The preprocessing applied to every image.</summary>
    public DigitPreprocessor Preprocessor { get; }

    /// <summary>Loads the model at <paramref name="modelPath"/> and wraps it; the classifier owns it.</summary>
    public static ImageClassifier Load(string modelPath, OnnxModelOptions? options = null, PreprocessingMode? mode = null)
    {
        var model = OnnxModel.Load(modelPath, options);
        try
        {
            return new ImageClassifier(model, mode, ownsModel: true);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Classifies the image file at <paramref name="path"/>.</summary>
    public Prediction Classify(string path) => _crop is null
        ? ClassifyMnist(Preprocessor.ToMnistBytes(path))
        : ClassifyEncoded(DigitPreprocessor.ReadFile(path, _crop.Limits), path, default);

    /// <summary>Classifies encoded image bytes; <paramref name="name"/> names them in errors.</summary>
    public Prediction Classify(ReadOnlySpan<byte> encoded, string name, CancellationToken cancellationToken = default) =>
        _crop is null ? ClassifyMnist(Preprocessor.ToMnistBytes(encoded, name), cancellationToken) : ClassifyEncoded(encoded, name, cancellationToken);

    /// <summary>
    /// Classifies 28×28 white-on-black MNIST bytes (already preprocessed). A cancelled <paramref name="cancellationToken"/>
    /// stops the model run (<see cref="OnnxModel.Classify"/>).
    /// </summary>
    public Prediction ClassifyMnist(ReadOnlySpan<byte> pixels, CancellationToken cancellationToken = default)
    {
        if (pixels.Length != DigitPreprocessor.OutputLength)
        {
            throw new ToolchainException($"expected {DigitPreprocessor.OutputLength} pixels (28×28), got {pixels.Length}");
        }
        Span<float> floats = stackalloc float[DigitPreprocessor.OutputLength];
        PixelNormalizer.Normalize(pixels, Preprocessor.Mean, Preprocessor.Std, floats);
        return Model.Classify(floats, 1, cancellationToken)[0];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsModel)
        {
            Model.Dispose();
        }
    }
}
