using Toolchain.Data;
using Toolchain.Trainer.Training;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Training;

/// <summary>
/// Tests that train draw from torch's process-wide generator; run in parallel with other torch users their sequences
/// would interleave, so they run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchRandomState
{
    public const string Name = "torch global RNG";
}

/// <summary>A temporary folder removed at dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "trainer-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Records progress and can cancel after a given number of batches, as Ctrl-C would.</summary>
internal sealed class RecordingObserver(CancellationTokenSource? cancelAfter = null, int batches = int.MaxValue) : ITrainingObserver
{
    private int _batches;

    public List<EpochRecord> Epochs { get; } = [];

    public void BatchCompleted(int epoch, int batch, int total, double runningLoss, double samplesPerSecond)
    {
        if (++_batches >= batches)
        {
            cancelAfter?.Cancel();
        }
    }

    public void EpochCompleted(EpochRecord record, int epochs) => Epochs.Add(record);
}

internal static class TrainingFixtures
{
    /// <summary>
    /// Small learnable images: class k has a bright 3×3 square in quadrant k of an 8×8 image, plus noise.
    /// </summary>
    public static LoadedDataset Quadrants(int train = 96, int test = 32, int seed = 1)
    {
        var random = new Random(seed);
        ImageSet Split(int count)
        {
            var pixels = new byte[count * 64];
            var labels = new byte[count];
            for (int i = 0; i < count; i++)
            {
                int k = i % 4;
                labels[i] = (byte)k;
                for (int p = 0; p < 64; p++)
                {
                    pixels[(i * 64) + p] = (byte)random.Next(0, 60);
                }
                int oy = (k / 2 * 4) + random.Next(0, 2), ox = (k % 2 * 4) + random.Next(0, 2);
                for (int y = 0; y < 3; y++)
                {
                    for (int x = 0; x < 3; x++)
                    {
                        pixels[(i * 64) + ((oy + y) * 8) + ox + x] = 255;
                    }
                }
            }
            return new ImageSet(pixels, labels, count, 8, 8);
        }
        // White-on-black bytes as an IDX folder holds, which the trainer takes for MNIST's kind.
        return new LoadedDataset("quadrants", "/nowhere/quadrants", Split(train), Split(test), ["a", "b", "c", "d"]) { Digits = true };
    }

    /// <summary>
    /// Writes <see cref="Quadrants"/> as a folder of IDX files with its four class names, for runs through the CLI.
    /// With <paramref name="blankTest"/> every test image is black, so any net predicts one class for all of them.
    /// </summary>
    public static string WriteQuadrantsFolder(string folder, int seed = 1, bool blankTest = false)
    {
        var quadrants = Quadrants(seed: seed);
        var test = blankTest ? quadrants.Test with { Pixels = new byte[quadrants.Test.Pixels.Length] } : quadrants.Test;
        Directory.CreateDirectory(folder);
        IdxWriter.WriteSplit(folder, "train", quadrants.Train);
        IdxWriter.WriteSplit(folder, "t10k", test);
        File.WriteAllLines(System.IO.Path.Combine(folder, DatasetResolver.ClassNamesFile), quadrants.ClassNames);
        return folder;
    }

    /// <summary>A tiny net with dropout, so that resume must restore the RNG as well as weights and optimizer.</summary>
    public static TrainingOptions TinyImageOptions(int epochs = 2) => ModelPresets.Default(BuiltInModel.Mlp) with
    {
        Architecture = "flatten linear(16) relu dropout(0.5) linear(4)",
        Dataset = "quadrants",
        Epochs = epochs,
        BatchSize = 16,
        LearningRate = 0.01,
        AugmentShift = 1,
    };

    public static TrainingData TinyImageData() => TrainingData.FromImages(Quadrants(), null, null, CPU);

    /// <summary>Every parameter flattened to doubles, by name.</summary>
    public static Dictionary<string, double[]> Weights(TrainingRun run) =>
        run.Model.named_parameters().ToDictionary(p => p.name, p =>
        {
            using var d = p.parameter.detach().cpu().to(float64).flatten();
            return d.data<double>().ToArray();
        });
}
