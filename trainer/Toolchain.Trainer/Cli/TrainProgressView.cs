using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Toolchain.Trainer.Training;

namespace Toolchain.Trainer.Cli;

/// <summary>
/// Shows training progress: a Spectre.Console bar per epoch (batch, running loss, samples/s, ETA) on a terminal,
/// plain lines otherwise (CI, pipes), and a one-line summary after each epoch.
/// </summary>
public sealed class TrainProgressView
{
    private readonly TextWriter _out;
    private readonly bool _interactive;
    private readonly bool _quiet;
    private readonly bool _regression;

    /// <summary>
    /// Creates a view writing to <paramref name="output"/>; bars are drawn only when it is the console of a terminal. A
    /// <paramref name="regression"/>'s epochs show R² where a classifier's show accuracy.
    /// </summary>
    public TrainProgressView(TextWriter output, bool quiet, bool regression = false)
    {
        _out = output;
        _quiet = quiet;
        _regression = regression;
        _interactive = !quiet && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected
            && AnsiConsole.Profile.Capabilities.Interactive;
    }

    /// <summary>Runs <paramref name="work"/> with an observer that draws its progress.</summary>
    public T Run<T>(Func<ITrainingObserver, T> work)
    {
        if (!_interactive)
        {
            return work(new LineObserver(_out.WriteLine, _quiet, _regression));
        }
        return AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx => work(new BarObserver(ctx, _regression)));
    }

    /// <summary>The one-line epoch summary; a regression's score is R², a classifier's accuracy.</summary>
    public static string Summary(EpochRecord r, int epochs, bool regression = false)
    {
        var c = CultureInfo.InvariantCulture;
        var head = r.Epoch == 0 ? $"epoch 0/{epochs} (before training)" : $"epoch {r.Epoch}/{epochs}";
        var speed = r.Epoch == 0 ? "" : string.Create(c, $"  {r.Seconds:0.0} s  {r.SamplesPerSecond:N0} samples/s");
        var validation = r.ValidationLoss is not { } vl || r.ValidationAccuracy is not { } va ? ""
            : regression ? string.Create(c, $"  val loss {vl:0.0000} R² {va:0.0000}") : string.Create(c, $"  val loss {vl:0.0000} acc {100 * va:0.00}%");
        return regression
            ? string.Create(c, $"{head}  train loss {r.TrainLoss:0.0000} R² {r.TrainAccuracy:0.0000}{validation}  test loss {r.TestLoss:0.0000} R² {r.TestAccuracy:0.0000}{speed}")
            : string.Create(c, $"{head}  train loss {r.TrainLoss:0.0000} acc {100 * r.TrainAccuracy:0.00}%{validation}  test loss {r.TestLoss:0.0000} acc {100 * r.TestAccuracy:0.00}%{speed}");
    }

    private static bool ShouldPrint(int epoch, int epochs) => epochs <= 25 || epoch % Math.Max(1, epochs / 20) == 0 || epoch == epochs;

    /// <summary>Plain output: one line per epoch (thinned to about 20 for long runs) and notices.</summary>
    /// <summary>A finished initialisation's line: its training accuracy, or for a regression its training R².</summary>
    private static string Final(long seed, double trainLoss, double trainScore, bool regression) => regression
        ? string.Create(CultureInfo.InvariantCulture, $"seed {seed}: final train loss {trainLoss:0.000000} R² {trainScore:0.0000}")
        : string.Create(CultureInfo.InvariantCulture, $"seed {seed}: final train loss {trainLoss:0.000000} acc {100 * trainScore:0.00}%");

    private sealed class LineObserver(Action<string> write, bool quiet, bool regression) : ITrainingObserver
    {
        public void RunStarted(int restart, int restarts, long seed)
        {
            if (restarts > 1 && !quiet)
            {
                write($"initialisation {restart}/{restarts} (seed {seed})");
            }
        }

        public void EpochCompleted(EpochRecord record, int epochs)
        {
            if (!quiet && ShouldPrint(record.Epoch, epochs))
            {
                write(Summary(record, epochs, regression));
            }
        }

        public void RunFinished(int restart, long seed, double trainLoss, double trainAccuracy)
        {
            if (!quiet)
            {
                write(Final(seed, trainLoss, trainAccuracy, regression));
            }
        }

        public void Notice(string message) => write(message);
    }

    /// <summary>Live bars on a terminal; summaries are written above them.</summary>
    private sealed class BarObserver(ProgressContext ctx, bool regression) : ITrainingObserver
    {
        private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
        private ProgressTask? _task;

        public void RunStarted(int restart, int restarts, long seed)
        {
            if (restarts > 1)
            {
                AnsiConsole.MarkupLineInterpolated($"[bold]initialisation {restart}/{restarts}[/] (seed {seed})");
            }
        }

        public void EpochStarted(int epoch, int epochs, int batches, int firstBatch)
        {
            _task?.StopTask();
            _task = ctx.AddTask($"epoch {epoch}/{epochs}", maxValue: batches);
            _task.Value = firstBatch;
        }

        public void BatchCompleted(int epoch, int batch, int batches, double runningLoss, double samplesPerSecond)
        {
            if (_task is null || (_sinceDraw.ElapsedMilliseconds < 100 && batch < batches))
            {
                return;
            }
            _sinceDraw.Restart();
            _task.Value = batch;
            _task.Description = string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch} batch {batch}/{batches} loss {runningLoss:0.0000} {samplesPerSecond:N0}/s");
        }

        public void EpochCompleted(EpochRecord record, int epochs)
        {
            _task?.StopTask();
            if (ShouldPrint(record.Epoch, epochs))
            {
                AnsiConsole.WriteLine(Summary(record, epochs, regression));
            }
        }

        public void RunFinished(int restart, long seed, double trainLoss, double trainAccuracy) =>
            AnsiConsole.WriteLine(Final(seed, trainLoss, trainAccuracy, regression));

        public void Notice(string message) => AnsiConsole.WriteLine(message);
    }
}
