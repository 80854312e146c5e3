using Microsoft.Extensions.Primitives;

namespace Toolchain.Inference.Hosting;

/// <summary>
/// Where an <see cref="OnnxClassifier"/>'s model comes from and when to look at it again: the extension point for
/// models kept somewhere other than one local file (a blob store, a model registry, the newest version folder of a
/// repository), after Microsoft.Extensions.ML's <c>ModelLoader</c>. The classifier loads the file
/// <see cref="GetModelPath"/> names; whenever the token from <see cref="Watch"/> fires it waits for the source to be quiet
/// for <see cref="ModelReloadOptions.Debounce"/>, reads the file again, and swaps in the new model if its content
/// differs and it loads and runs (the old model keeps serving otherwise). The default source is
/// <see cref="FileModelSource"/> over <see cref="OnnxClassifierOptions.ModelPath"/>.
/// </summary>
/// <remarks>
/// A source that fetches models from elsewhere stages each one as a complete local file (written under another name
/// and moved into place, so the classifier never reads one half-written), then fires its token. The classifier owns
/// the source it is given and disposes it with itself.
/// </remarks>
public abstract class ModelSource : IDisposable
{
    /// <summary>
    /// The absolute path of the ONNX file that holds the model now. Called at every load attempt, so a source may name
    /// a different file each time (a new version folder, say).
    /// </summary>
    public abstract string GetModelPath();

    /// <summary>
    /// A token that fires when the model may have changed. Each token fires once; the classifier asks for a new one
    /// after each (<see cref="ChangeToken.OnChange(Func{IChangeToken?}, Action)"/>), so a source hands out a fresh token
    /// per change. A token that never fires serves the first model for good.
    /// </summary>
    public abstract IChangeToken Watch();

    /// <summary>Stops watching; a source that holds nothing need not override it.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the source holds (watchers, timers, clients) when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
