namespace Toolchain.Shared.Data;

/// <summary>
/// Turns a user's <c>--dataset</c> value into loaded data: <c>auto</c>, a catalog name or a folder of IDX files.
/// </summary>
public static class DatasetResolver
{
    /// <summary>
    /// Loads <paramref name="nameOrDir"/>. <c>auto</c> means full MNIST when present under <paramref name="dataRoot"/> or
    /// downloadable, else the bundled sample, reporting the fallback through <paramref name="notice"/>.
    /// An explicit name never falls back. Failures throw <see cref="Errors.ToolchainException"/> with one line.
    /// </summary>
    public static LoadedDataset Load(string nameOrDir, string dataRoot, Action<string>? notice = null) =>
        throw new NotImplementedException("DatasetResolver.Load is being written");
}
