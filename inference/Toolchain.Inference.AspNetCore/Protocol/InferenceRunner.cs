using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime.Tensors;
using Toolchain.Contracts;
using Toolchain.Inference.Batching;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.AspNetCore.Protocol;

/// <summary>
/// What both transports of the protocol share: finding the model (and version) and leasing it, describing it, and
/// checking an inference request against the leased model and running it there. A request holds one lease from before
/// its body is read until its answer: what the body may hold, the checks and the run all concern that one model, even
/// across a hot reload. Every refusal is a <see cref="ProtocolException"/>.
/// </summary>
internal sealed class InferenceRunner(IOptions<OpenInferenceOptions> options, IServiceProvider services)
{
    /// <summary>The platform the protocol's model metadata names for ONNX Runtime models.</summary>
    public const string Platform = "onnx_onnxv1";

    private readonly IReadOnlyDictionary<string, string> _models = new Dictionary<string, string>(options.Value.Models, StringComparer.Ordinal);

    /// <summary>The classifier served as <paramref name="name"/>; 404 for an unknown name.</summary>
    private OnnxClassifier Find(string name)
    {
        if (!_models.TryGetValue(name, out var key))
        {
            throw ProtocolException.NotFound(
                $"unknown model '{ClientText.Echo(name)}'; this server serves {string.Join(", ", _models.Keys.Select(m => $"'{m}'"))}");
        }
        return services.GetRequiredKeyedService<OnnxClassifier>(key);
    }

    /// <summary>
    /// Leases the model served as <paramref name="name"/> at its current version: 404 for an unknown name, or when
    /// <paramref name="version"/> is given and is not the loaded one; 503 while it is not loaded. Dispose it.
    /// </summary>
    public LeasedModel Lease(string name, string? version)
    {
        var classifier = Find(name);
        var lease = classifier.TryAcquireModel() ?? throw new ProtocolException(StatusCodes.Status503ServiceUnavailable,
            $"model '{name}' is not ready: {classifier.GetStatus().LastFailure ?? "still loading"}");
        if (!string.IsNullOrEmpty(version) && version != lease.Version.Id)
        {
            var loaded = lease.Version.Id;
            lease.Dispose();
            throw ProtocolException.NotFound($"model '{name}' has no version '{ClientText.Echo(version)}'; the loaded version is '{loaded}'");
        }
        return new LeasedModel(name, classifier, lease);
    }

    /// <summary>Whether the model (at <paramref name="version"/>, when given) is loaded; 404 for an unknown name or version.</summary>
    public bool IsReady(string name, string? version)
    {
        var classifier = Find(name);
        using var lease = classifier.TryAcquireModel();
        if (lease is null)
        {
            return false;
        }
        if (!string.IsNullOrEmpty(version) && version != lease.Version.Id)
        {
            throw ProtocolException.NotFound($"model '{name}' has no version '{ClientText.Echo(version)}'; the loaded version is '{lease.Version.Id}'");
        }
        return true;
    }

    /// <summary>
    /// Whether the server is ready: the host's health checks tagged <see cref="OpenInferenceOptions.ReadinessTag"/>
    /// when it names one, else every served model loaded.
    /// </summary>
    public async Task<bool> IsServerReadyAsync(CancellationToken cancellationToken)
    {
        if (options.Value.ReadinessTag is { } tag && services.GetService<HealthCheckService>() is { } health)
        {
            return (await health.CheckHealthAsync(check => check.Tags.Contains(tag), cancellationToken)).Status != HealthStatus.Unhealthy;
        }
        return _models.Keys.All(name => Find(name).IsReady);
    }

    /// <summary>
    /// A tensor's shape as the protocol's metadata gives it: -1 for a free batch axis, the graph's own size for a fixed
    /// one (a model exported at batch 1 takes [1,...], not [-1,...]).
    /// </summary>
    public static IReadOnlyList<long> MetadataShape(TensorSpec spec, OnnxModel model) =>
        model.FixedBatch > 0 ? [model.FixedBatch, .. spec.Shape.Skip(1)] : spec.Shape;

    /// <summary>
    /// Checks <paramref name="request"/> against the leased model, runs it on that model (through its batcher when
    /// batching is on) and builds the response.
    /// </summary>
    public static async Task<InferResponse> InferAsync(LeasedModel target, InferRequest request, CancellationToken cancellationToken)
    {
        var model = target.Lease.Model;
        var (input, rows) = CheckInput(model, target.Lease.MaxRows, request.Inputs);
        var outputs = CheckOutputs(model, request.Outputs);
        TensorResult result;
        try
        {
            result = await target.Classifier.InferAsync(target.Lease, input.Data.Span, rows, cancellationToken);
        }
        catch (BatchQueueFullException e)
        {
            throw new ProtocolException(StatusCodes.Status429TooManyRequests, e.Message);
        }
        catch (ToolchainException e)
        {
            // The request was checked against this same model above; what is left is the model failing on these inputs.
            throw ProtocolException.BadRequest(e.Message);
        }
        return new InferResponse(target.Name, result.Version.Id, request.Id,
            outputs.Select(o => Output(result, o.Index, o.Asked, request.BinaryOutputs)).ToArray());
    }

    private static (InferInput Input, int Rows) CheckInput(OnnxModel model, int maxBatch, IReadOnlyList<InferInput> inputs)
    {
        var spec = model.InputSpec;
        if (inputs.Count == 0)
        {
            throw ProtocolException.BadRequest($"the request has no inputs; the model takes '{spec.Name}'");
        }
        foreach (var extra in inputs)
        {
            if (extra.Name != spec.Name)
            {
                throw ProtocolException.BadRequest($"unknown input '{ClientText.Echo(extra.Name)}'; the model takes one input, '{spec.Name}'");
            }
        }
        if (inputs.Count > 1)
        {
            throw ProtocolException.BadRequest($"input '{spec.Name}' is given {inputs.Count} times");
        }
        var input = inputs[0];
        var datatype = Datatype.Of(spec.ElementType);
        if (input.Datatype != datatype)
        {
            throw ProtocolException.BadRequest($"input '{spec.Name}' has datatype {ClientText.Echo(input.Datatype)}; the model takes {datatype}");
        }
        var shape = input.Shape;
        var expected = ClientText.Shape(MetadataShape(spec, model));
        if (shape.Length != spec.Shape.Count)
        {
            throw ProtocolException.BadRequest($"input '{spec.Name}' has shape {ClientText.Shape(shape)}; the model takes {expected}");
        }
        for (var i = 1; i < shape.Length; i++)
        {
            if (shape[i] != spec.Shape[i])
            {
                throw ProtocolException.BadRequest($"input '{spec.Name}' has shape {ClientText.Shape(shape)}; the model takes {expected}");
            }
        }
        if (shape[0] < 1 || shape[0] > maxBatch)
        {
            throw ProtocolException.BadRequest(
                $"input '{spec.Name}' has a batch of {shape[0]}; this model takes 1 to {maxBatch} rows per request");
        }
        var rows = (int)shape[0];
        var elements = rows * spec.RowElements;
        if (input.ElementCount != elements)
        {
            throw ProtocolException.BadRequest(
                $"input '{spec.Name}' holds {input.ElementCount} elements but its shape {ClientText.Shape(shape)} needs {elements}");
        }
        if (TensorBytes.FirstNonFinite(input.Data.Span, spec.ElementType) is var bad and >= 0)
        {
            throw ProtocolException.BadRequest($"input '{spec.Name}' holds NaN or infinity at element {bad}");
        }
        return (input, rows);
    }

    private static List<(int Index, RequestedOutput Asked)> CheckOutputs(OnnxModel model, IReadOnlyList<RequestedOutput> asked)
    {
        var specs = model.OutputSpecs;
        if (asked.Count == 0)
        {
            return specs.Select((s, i) => (i, new RequestedOutput(s.Name, null, null))).ToList();
        }
        var chosen = new List<(int, RequestedOutput)>();
        foreach (var output in asked)
        {
            var index = specs.ToList().FindIndex(s => s.Name == output.Name);
            if (index < 0)
            {
                throw ProtocolException.BadRequest(
                    $"unknown output '{ClientText.Echo(output.Name)}'; the model has {string.Join(", ", specs.Select(s => $"'{s.Name}'"))}");
            }
            if (chosen.Any(c => c.Item1 == index))
            {
                throw ProtocolException.BadRequest($"output '{ClientText.Echo(output.Name)}' is asked for twice");
            }
            var width = specs[index].RowElements;
            if (output.Classification is not null && model.Info.Task == ModelTask.Regression)
            {
                // Ranking a regression's outputs would answer "which target is largest", which no one asks; say why instead.
                throw ProtocolException.BadRequest(
                    $"output '{output.Name}': the classification extension ranks class scores, but this is a regression model " +
                    $"whose output holds predicted values of {string.Join(", ", model.Info.Card.TargetNames.Select(t => $"'{ClientText.Echo(t)}'"))}; ask for the output without 'classification'");
            }
            if (output.Classification is { } k && (k < 1 || k > width))
            {
                throw ProtocolException.BadRequest($"output '{output.Name}': classification must be between 1 and {width} (got {k})");
            }
            chosen.Add((index, output));
        }
        return chosen;
    }

    private static InferOutput Output(TensorResult result, int index, RequestedOutput asked, bool binaryByDefault)
    {
        var spec = result.Specs[index];
        var raw = result.Outputs[index];
        var binary = asked.Binary ?? binaryByDefault;
        if (asked.Classification is not { } k)
        {
            long[] shape = [result.Rows, .. spec.Shape.Skip(1)];
            return new InferOutput(spec.Name, Datatype.Of(spec.ElementType), shape, raw, null, binary);
        }
        var width = (int)spec.RowElements;
        // Labels name the classes only when the output has one value per class; a binary model's single probability does not.
        var labels = result.Labels.Count == width ? result.Labels : null;
        var size = spec.ElementSize;
        var strings = new string[result.Rows * k];
        var order = new int[width];
        for (var row = 0; row < result.Rows; row++)
        {
            var values = raw.AsSpan(row * width * size, width * size);
            for (var i = 0; i < width; i++)
            {
                order[i] = i;
            }
            var keys = new double[width];
            for (var i = 0; i < width; i++)
            {
                keys[i] = TensorBytes.ValueAt(values, spec.ElementType, i);
            }
            // Highest first; equal values keep index order, as a stable sort would.
            Array.Sort(order, (a, b) => keys[b].CompareTo(keys[a]) is var c and not 0 ? c : a.CompareTo(b));
            for (var j = 0; j < k; j++)
            {
                var c = order[j];
                var text = $"{TensorBytes.FormatValue(values, spec.ElementType, c)}:{c}";
                strings[(row * k) + j] = labels is null ? text : $"{text}:{labels[c]}";
            }
        }
        return new InferOutput(spec.Name, Datatype.Bytes, [result.Rows, k], null, strings, binary);
    }

    /// <summary>The element type a datatype name stands for, or a 400 naming the input.</summary>
    public static TensorElementType ElementTypeOf(string input, string datatype) =>
        Datatype.Parse(datatype) ?? throw ProtocolException.BadRequest(
            datatype == Datatype.Bytes
                ? $"input '{ClientText.Echo(input)}': BYTES inputs are not supported; these models take numeric tensors"
                : $"input '{ClientText.Echo(input)}' has unknown datatype '{ClientText.Echo(datatype)}'");
}
