using Microsoft.ML.OnnxRuntime;
using Toolchain.Contracts;
using Toolchain.Trainer.Models;
using Toolchain.Trainer.Onnx;
using TorchSharp;
using static TorchSharp.torch;
using Sequential = TorchSharp.Modules.Sequential;

namespace Toolchain.Trainer.Tests.Onnx;

/// <summary>Small random nets, briefly trained, exported to a private temp folder; plus an independent ORT runner.</summary>
internal sealed class ExportFixture : IDisposable
{
    public ExportFixture(string spec, long[] inputShape, ScalarType dtype = ScalarType.Float32, int trainSteps = 3, int seed = 1)
    {
        Dir = Path.Combine(Path.GetTempPath(), "toolchain-export-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
        Spec = ArchitectureSpec.Parse(spec);
        InputShape = inputShape;
        Dtype = dtype;
        torch.manual_seed(seed);
        Model = ModelBuilder.Build(Spec, inputShape);
        Model.to(dtype);
        Outputs = Spec.InferShapes(inputShape)[^1][0];
        Train(trainSteps);
        VerificationInputs = Inputs(16, seed + 100);
    }

    public string Dir { get; }
    public ArchitectureSpec Spec { get; }
    public long[] InputShape { get; }
    public ScalarType Dtype { get; }
    public Sequential Model { get; }
    public long Outputs { get; }
    public Tensor VerificationInputs { get; }
    public string PathFor(string name = "model.onnx") => System.IO.Path.Combine(Dir, name);

    public ModelCard Card() => new()
    {
        Task = ModelTask.Multiclass,
        Labels = Outputs > 1 ? Enumerable.Range(0, (int)Outputs).Select(i => $"c{i}").ToArray() : ["zero", "one"],
        InputLayout = InputLayout.Nc,
        InputShape = [],
        ElementType = ElementType.Float32,
        OutputName = "placeholder",
        Mean = 0.1307,
        Std = 0.3081,
        PreprocessingMode = InputShape.Length == 3 ? PreprocessingMode.Digit : PreprocessingMode.None,
        DatasetName = "unit-test",
        TrainCount = 32,
        TestCount = 16,
        Hyperparameters = new Dictionary<string, string> { ["lr"] = "0.1", ["epochs"] = "1" },
        Seed = 42,
        TestAccuracy = 0.5,
        TestLoss = 0.69,
    };

    public ExportRequest Request() => new(Model, Spec, InputShape, Card(), VerificationInputs);

    public ExportResult Export(string name = "model.onnx") => OnnxExporter.Export(Request(), PathFor(name));

    public Tensor Inputs(long batch, int seed)
    {
        using var g = new Generator((ulong)seed);
        return randn([batch, .. InputShape], Dtype, generator: g);
    }

    /// <summary>TorchSharp's eval-mode outputs for <paramref name="x"/>: the main output and, for multi-class, softmax.</summary>
    public (double[] Output, double[]? Probabilities) Torch(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Model.eval();
        var y = Model.forward(x);
        var output = y.to_type(ScalarType.Float64).data<double>().ToArray();
        var probabilities = Outputs > 1 ? nn.functional.softmax(y, 1).to_type(ScalarType.Float64).data<double>().ToArray() : null;
        return (output, probabilities);
    }

    public void Dispose()
    {
        VerificationInputs.Dispose();
        Model.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Train(int steps)
    {
        if (steps == 0 || !Model.parameters().Any())
        {
            return;
        }
        Model.train();
        // A small rate keeps outputs near unit scale: float32 parity is absolute, so diverged logits (~1e4) could not meet 1e-5.
        var opt = optim.SGD(Model.parameters(), 0.002);
        for (int s = 0; s < steps; s++)
        {
            using var scope = NewDisposeScope();
            // Shifted, scaled inputs so batchnorm's running statistics move well away from 0 and 1.
            var x = (Inputs(32, 1000 + s) * 2.5) + 0.7;
            var y = Model.forward(x);
            var target = randn_like(y);
            var loss = nn.functional.mse_loss(y, target);
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        Model.eval();
    }
}

/// <summary>Runs an ONNX file in its own ORT CPU session, independently of the exporter's verifier.</summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;

    public OrtRunner(string path) => _session = new InferenceSession(path);

    public InferenceSession Session => _session;

    public IReadOnlyDictionary<string, (long[] Shape, double[] Data)> Run(Tensor x)
    {
        var shape = x.shape;
        bool isDouble = x.dtype == ScalarType.Float64;
        using var input = isDouble
            ? OrtValue.CreateTensorValueFromMemory(x.contiguous().data<double>().ToArray(), shape)
            : OrtValue.CreateTensorValueFromMemory(x.contiguous().data<float>().ToArray(), shape);
        var names = _session.OutputNames.ToArray();
        using var runOptions = new RunOptions();
        using var results = _session.Run(runOptions, ["input"], [input], names);
        var map = new Dictionary<string, (long[], double[])>();
        int k = 0;
        foreach (var r in results)
        {
            var data = isDouble
                ? r.GetTensorDataAsSpan<double>().ToArray()
                : r.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray();
            map[names[k++]] = (r.GetTensorTypeAndShape().Shape, data);
        }
        return map;
    }

    public void Dispose() => _session.Dispose();

    public static double MaxAbsDiff(double[] a, double[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs(a[i] - b[i]);
            Assert.False(double.IsNaN(d), $"NaN at {i}");
            max = Math.Max(max, d);
        }
        return max;
    }
}
