using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Tests.Runtime;

/// <summary>
/// A cancelled token stops ONNX Runtime inside the run, not after it. ORT checks for termination between operators, so
/// the model is <see cref="TinyOnnxModels.WriteSlowChain"/>, whose run is spread over hundreds of them: the benchmark CNN
/// spends most of a run in one convolution, which would hide a prompt stop behind that one operator.
/// </summary>
[Collection(nameof(LongRuns))]
public sealed class OnnxModelCancellationTests : IDisposable
{
    /// <summary>Examples per run: about a second on one thread, so a stop part-way is plain to see.</summary>
    internal const int LongBatch = 2000;

    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The slow chain on one thread, with inputs for <see cref="LongBatch"/> examples.</summary>
    internal static (OnnxModel Model, float[] Inputs) LongRun(string path)
    {
        var model = OnnxModel.Load(TinyOnnxModels.WriteSlowChain(path), new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
        var inputs = new float[LongBatch * model.FeatureCount];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = i % 7 * 0.1f;
        }
        // The first run pays for ORT's allocations; it is not the run being timed.
        model.Classify(inputs.AsSpan(0, model.FeatureCount), 1);
        return (model, inputs);
    }

    [Fact]
    public async Task Cancelling_during_a_long_run_stops_it_early_with_OperationCanceledException()
    {
        var (model, inputs) = LongRun(_dir.File("cnn.onnx"));
        using var _ = model;
        var probabilities = new float[LongBatch * model.ClassCount];
        var clock = Stopwatch.StartNew();
        model.RunProbabilities(inputs, LongBatch, probabilities);
        var uncancelled = clock.Elapsed;
        using var cancel = new CancellationTokenSource();

        // Cancelled a tenth of the way through (the uncancelled run only sizes the stimulus). The run has a thread of its
        // own, so a busy thread pool cannot hold it up.
        var run = Task.Factory.StartNew(() => model.RunProbabilities(inputs, LongBatch, probabilities, cancel.Token), TaskCreationOptions.LongRunning);
        cancel.CancelAfter(uncancelled / 10);
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.Equal(cancel.Token, error.CancellationToken);
        // ONNX Runtime's own error for its terminate flag: the run was stopped between operators, not checked after it ended.
        Assert.IsType<OnnxRuntimeException>(error.InnerException);
        // The session is not harmed: the next run, with its own run options, completes.
        Assert.Equal(LongBatch, model.Classify(inputs, LongBatch).Length);
    }

    [Fact]
    public void A_token_cancelled_before_the_call_runs_nothing()
    {
        var (model, inputs) = LongRun(_dir.File("cnn.onnx"));
        using var _ = model;

        Assert.Throws<OperationCanceledException>(() => model.Classify(inputs, LongBatch, new CancellationToken(canceled: true)));
    }
}

/// <summary>
/// Tests that time a second-long model run against a cancellation part-way through. They run alone: beside other tests
/// on a two-core machine, the run and the timer that cancels it would wait for cores and pool threads, and the timing
/// would measure the crowd rather than the cancellation.
/// </summary>
[CollectionDefinition(nameof(LongRuns), DisableParallelization = true)]
public sealed class LongRuns;
