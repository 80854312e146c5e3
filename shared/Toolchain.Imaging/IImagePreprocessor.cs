using Toolchain.Contracts;

namespace Toolchain.Imaging;

/// <summary>
/// Turns a picture into one model's input: decoding (PNG, JPEG, BMP, GIF or WebP, refused over <see cref="Limits"/> before
/// decoding), framing to the model's size as its card says, then normalisation to the values the model was trained on.
/// Toolchain.Inference's <c>ImageClassifier.PreprocessorFor</c> picks the one a model needs: <see cref="DigitPreprocessor"/> for
/// 28×28 digit models, <see cref="CropResizePreprocessor"/> for models trained on image folders. Implementations are
/// stateless after construction, so one instance serves concurrent callers.
/// </summary>
public interface IImagePreprocessor
{
    /// <summary>How pictures are framed: as they are (none), as MNIST digits (digit), or fitted to the size (resize).</summary>
    PreprocessingMode Mode { get; }

    /// <summary>Values one picture becomes: the model's channels × height × width.</summary>
    int OutputLength { get; }

    /// <summary>What a picture may cost; larger ones are refused before decoding.</summary>
    ImageLimits Limits { get; }

    /// <summary>
    /// Decodes <paramref name="encoded"/> and writes its <see cref="OutputLength"/> model-ready values to
    /// <paramref name="destination"/>. A picture that cannot be used fails with <see cref="InvalidInputFileException"/>
    /// naming <paramref name="name"/>.
    /// </summary>
    void Process(ReadOnlySpan<byte> encoded, string name, Span<float> destination);

    /// <summary>
    /// The last step alone: <paramref name="pixels"/> already at the model's size (one or more pictures back to back,
    /// <see cref="OutputLength"/> bytes each, channel-major), normalised into <paramref name="destination"/> as
    /// <see cref="Process"/> would, e.g. for test sets stored as pixel arrays (IDX files).
    /// </summary>
    void Normalize(ReadOnlySpan<byte> pixels, Span<float> destination);
}
