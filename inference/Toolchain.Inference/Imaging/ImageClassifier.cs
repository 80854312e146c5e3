using Toolchain.Contracts;
using Toolchain.Imaging;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Imaging;

/// <summary>
/// A model and the preprocessing its card asks for (<see cref="Preprocessor"/>): image file or bytes in,
/// <see cref="Prediction"/> out. Thread-safe, like the model it wraps.
/// </summary>
public sealed class ImageClassifier : IDisposable
{
    private readonly bool _ownsModel;

    /// <summary>
    /// Wraps <paramref name="model"/>, an image model: a 28×28 single-channel digit model, or one whose card gives its
    /// channels, size and normalisation (trained on an image folder, any size and colour); see
    /// <see cref="PreprocessorFor"/>. <paramref name="mode"/> overrides the card's preprocessing mode. The model is
    /// disposed with this instance only when <paramref name="ownsModel"/>. Images over <paramref name="imageLimits"/>
    /// (default <see cref="ImageLimits.Default"/>) are refused before decoding.
    /// </summary>
    public ImageClassifier(OnnxModel model, PreprocessingMode? mode = null, bool ownsModel = false, ImageLimits? imageLimits = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Preprocessor = PreprocessorFor(model.Info, mode, imageLimits);
        Model = model;
        _ownsModel = ownsModel;
    }

    /// <summary>The model.</summary>
    public OnnxModel Model { get; }

    /// <summary>The preprocessing applied to every image.</summary>
    public IImagePreprocessor Preprocessor { get; }

    /// <summary>
    /// The preprocessing a model with <paramref name="info"/> needs: for a model trained on an image folder (its card
    /// says pixels are <see cref="PixelConvention.AsStored"/>, in <see cref="PreprocessingMode.Resize"/>), a
    /// <see cref="CropResizePreprocessor"/> to its channels and size with the card's per-channel normalisation; for a
    /// 28×28 single-channel model, a <see cref="DigitPreprocessor"/> in the card's mode (or <paramref name="mode"/>).
    /// A graph that normalises its own uint8 input is handed pixels 0-255. Any other model fails with
    /// <see cref="ToolchainException"/>: it takes no images.
    /// </summary>
    public static IImagePreprocessor PreprocessorFor(ModelInfo info, PreprocessingMode? mode = null, ImageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        var shape = info.InputShape;
        if (UsesCropResize(info, mode))
        {
            // A model trained on an image folder: the card's channels, size and per-channel normalisation, as in training.
            var channels = (int)shape[1];
            var card = info.Card;
            // A graph that normalises its own uint8 input takes pixels 0-255, as on the digit path below: (p - 0) / (1/255).
            var (means, stds) = card is { NormalizationInGraph: true, ElementType: ElementType.UInt8 }
                ? (new double[channels], Enumerable.Repeat(1.0 / 255, channels).ToArray())
                : card.NormalizationFor(channels);
            return new CropResizePreprocessor(channels, (int)shape[2], (int)shape[3], limits) { Means = means, Stds = stds };
        }
        if (!IsDigitShape(shape))
        {
            throw new ToolchainException(
                $"the model's input [{string.Join(',', shape)}] is not a 28×28 single-channel image, so it cannot classify image files");
        }
        // A graph that normalises its own input (a uint8 export) takes pixels 0-255: (p/255 - 0) / (1/255) = p.
        var (mean, std) = info.Card is { NormalizationInGraph: true } ? (0.0, 1.0 / 255) : (info.Mean, info.Std);
        return new DigitPreprocessor(mode ?? info.PreprocessingMode, mean, std, limits);
    }

    /// <summary>Whether <see cref="PreprocessorFor"/> has a preprocessing for a model with <paramref name="info"/>.</summary>
    internal static bool TakesImages(ModelInfo info) => IsDigitShape(info.InputShape) || UsesCropResize(info);

    private static bool IsDigitShape(IReadOnlyList<long> shape) => shape.Count == 4 && shape[1] == 1 && shape[2] == 28 && shape[3] == 28;

    /// <summary>
    /// Whether a model takes images as its card says they were trained (an image-folder model in
    /// <see cref="PreprocessingMode.Resize"/>): any channels and size, resized and centre-cropped.
    /// </summary>
    private static bool UsesCropResize(ModelInfo info, PreprocessingMode? mode = null) =>
        info.Card is { PixelConvention: PixelConvention.AsStored } card && info.InputShape.Count == 4
        && (mode ?? card.PreprocessingMode) == PreprocessingMode.Resize;

    /// <summary>Values one image becomes: the model's C×H×W.</summary>
    internal int InputLength => Preprocessor.OutputLength;

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
    public Prediction Classify(string path) => Classify(DigitPreprocessor.ReadFile(path, Preprocessor.Limits), path);

    /// <summary>Classifies encoded image bytes; <paramref name="name"/> names them in errors.</summary>
    public Prediction Classify(ReadOnlySpan<byte> encoded, string name, CancellationToken cancellationToken = default)
    {
        var floats = new float[InputLength];
        Preprocessor.Process(encoded, name, floats);
        return Model.Classify(floats, 1, cancellationToken)[0];
    }

    /// <summary>
    /// Classifies one picture already at the model's size (<see cref="IImagePreprocessor.OutputLength"/> bytes,
    /// channel-major: 28×28 white-on-black for a digit model), normalised by <see cref="IImagePreprocessor.Normalize"/>.
    /// A cancelled <paramref name="cancellationToken"/> stops the model run (<see cref="OnnxModel.Classify"/>).
    /// </summary>
    public Prediction ClassifyPixels(ReadOnlySpan<byte> pixels, CancellationToken cancellationToken = default)
    {
        if (pixels.Length != InputLength)
        {
            throw new ToolchainException($"expected {InputLength} pixels (the model's {string.Join('×', Model.Info.InputShape.Skip(1))}), got {pixels.Length}");
        }
        var floats = new float[InputLength];
        Preprocessor.Normalize(pixels, floats);
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
