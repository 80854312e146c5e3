using Microsoft.Extensions.Options;

namespace Toolchain.Inference.Hosting;

/// <summary>Rejects unusable <see cref="OnnxClassifierOptions"/> with the first problem found.</summary>
public sealed class OnnxClassifierOptionsValidator : IValidateOptions<OnnxClassifierOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OnnxClassifierOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
