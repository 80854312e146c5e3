using Microsoft.Extensions.Options;

namespace Toolchain.Inference.Hosting;

/// <summary>Rejects unusable <see cref="OnnxClassifierOptions"/> with the first problem found, naming a named classifier.</summary>
public sealed class OnnxClassifierOptionsValidator : IValidateOptions<OnnxClassifierOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OnnxClassifierOptions options) =>
        options.Problem() is not { } problem ? ValidateOptionsResult.Success
        : string.IsNullOrEmpty(name) ? ValidateOptionsResult.Fail(problem)
        : ValidateOptionsResult.Fail($"classifier '{name}': {problem}");
}
