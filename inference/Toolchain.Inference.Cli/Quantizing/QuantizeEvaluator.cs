using Toolchain.Contracts;
using Toolchain.Inference.Cli.Commands;
using Toolchain.Inference.Cli.Evaluation;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Quantization;

namespace Toolchain.Inference.Cli.Quantizing;

/// <summary>
/// Measures a model file's accuracy exactly as <c>infer eval</c> does (the card's own test data, or <c>--dataset</c>),
/// on the CPU, writing eval's report and charts to a temporary folder that is removed afterwards.
/// </summary>
internal sealed class QuantizeEvaluator(QuantizeOptions options, CliConsole console) : IDisposable
{
    private readonly DirectoryInfo _reports = Directory.CreateTempSubdirectory("toolchain-quantize-eval-");

    public ModelEvaluation Evaluate(string modelPath)
    {
        var settings = new EvalOptions
        {
            Model = modelPath,
            Provider = ExecutionProvider.Cpu,
            Threads = options.Threads,
            DataRoot = options.DataRoot,
            BatchSize = 1000,
        };
        var outcome = EvalCommand.Evaluate(modelPath, options.Dataset, Path.Combine(_reports.FullName, Guid.NewGuid().ToString("N")), settings, console, showProgress: false);
        // Quantization is judged by its accuracy drop; a regression's R² is another scale, which this check does not know.
        var result = outcome as EvalResult
            ?? throw new ToolchainException($"{modelPath}: is a regression model; quantizing measures the accuracy drop of classifiers only (a regression's R² check is not built)");
        return new ModelEvaluation(result.Accuracy, result.Count, result.Dataset, result.CardComparable);
    }

    public void Dispose() => _reports.Delete(recursive: true);
}
