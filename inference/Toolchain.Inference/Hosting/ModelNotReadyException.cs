using Toolchain.Contracts;

namespace Toolchain.Inference.Hosting;

/// <summary>No model is loaded yet: the first load is still running or has failed.</summary>
public sealed class ModelNotReadyException : ToolchainException
{
    /// <summary>Creates the error with a one-line reason.</summary>
    public ModelNotReadyException(string message) : base(message) { }
}
