using Microsoft.ML.OnnxRuntime.Tensors;
using Toolchain.Contracts;
using Toolchain.Inference.Batching;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Service.Protocol;

/// <summary>
/// What both transports of the protocol share: finding the model (and version), describing it, and checking an
/// inference request against it before it reaches the batcher. Every refusal is a <see cref="ProtocolException"/>.
/// </summary>
internal sealed class InferenceRunner(ServedModels models, IServiceProvider services)
{
    /// <summary>The platform the protocol's model metadata names for ONNX Runtime models.</summary>
    public const string Platform = "onnx_onnxv1";

    public ServedModels Models => models;

    /// <summary>The model named <paramref name="name"/> and its classifier; 404 for an unknown name.</summary>
    public (ServedModel Model, OnnxClassifier Classifier) Find(string name)
    {
        var model = models.Find(name) ?? throw ProtocolException.NotFound(
            $"unknown model '{ClientText.Echo(name)}'; this server serves {string.Join(", ", models.All.Select(m => $"'{m.Name}'"))}");
        return (model, services.GetRequiredKeyedService<OnnxClassifier>(model.Key));
    }

    /// <summary>
    /// Leases the model's current version: 503 while it is not loaded, 404 when <paramref name="version"/> is given
    /// and is not the loaded one. Dispose the lease.
    /// </summary>
    public static ModelLease Lease(ServedModel model, OnnxClassifier classifier, string? version)
    {
        var lease = classifier.Models.TryAcquire() ?? throw new ProtocolException(StatusCodes.Status503ServiceUnavailable,
            $"model '{model.Name}' is not ready: {classifier.GetStatus().LastFailure ?? "still loading"}");
        if (!string.IsNullOrEmpty(version) && version != lease.Version.Id)
        {
            var loaded = lease.Version.Id;
            lease.Dispose();
            throw ProtocolException.NotFound($"model '{model.Name}' has no version '{ClientText.Echo(version)}'; the loaded version is '{loaded}'");
        }
        return lease;
    }

    /// <summary>Whether the model (at <paramref name="version"/>, when given) is loaded; 404 for an unknown name or version.</summary>
    public bool IsReady(string name, string? version)
    {
        var (model, classifier) = Find(name);
        using var lease = classifier.Models.TryAcquire();
        if (lease is null)
        {
            return false;
        }
        if (!string.IsNullOrEmpty(version) && version != lease.Version.Id)
        {
            throw ProtocolException.NotFound($"model '{model.Name}' has no version '{ClientText.Echo(version)}'; the loaded version is '{lease.Version.Id}'");
        }
        return true;
    }

    /// <summary>The largest batch one request may carry: the model's batch limit, or the graph's fixed batch size.</summary>
    public static int MaxBatch(OnnxClassifier classifier, OnnxModel model) =>
        model.FixedBatch > 0 ? model.FixedBatch : classifier.Options.Batching.MaxBatchSize;

    /// <summary>
    /// What one request to <paramref name="name"/> (at <paramref name="version"/>) may hold, to read its body against;
    /// 404 for an unknown model or version and 503 while it is not loaded, before a byte of the body is read.
    /// </summary>
    public RequestCapacity Capacity(string name, string? version)
    {
        var (model, classifier) = Find(name);
        using var lease = Lease(model, classifier, version);
        return new RequestCapacity(model.Name, MaxBatch(classifier, lease.Model), lease.Model.InputSpec.RowElements);
    }

    /// <summary>
    /// A tensor's shape as the protocol's metadata gives it: -1 for a free batch axis, the graph's own size for a fixed
    /// one (a model exported at batch 1 takes [1,...], not [-1,...]).
    /// </summary>
    public static IReadOnlyList<long> MetadataShape(TensorSpec spec, OnnxModel model) =>
        model.FixedBatch > 0 ? [model.FixedBatch, .. spec.Shape.Skip(1)] : spec.Shape;

    /// <summary>Checks <paramref name="request"/> against the model, runs it through the model's batcher and builds the response.</summary>
    public async Task<InferResponse> InferAsync(string name, string? version, InferRequest request, CancellationToken cancellationToken)
    {
        var (model, classifier) = Find(name);
        InferInput input;
        int rows;
        List<(int Index, RequestedOutput Asked)> outputs;
        string versionId;
        using (var lease = Lease(model, classifier, version))
        {
            versionId = lease.Version.Id;
            (input, rows) = CheckInput(lease.Model, MaxBatch(classifier, lease.Model), request.Inputs);
            outputs = CheckOutputs(lease.Model, request.Outputs);
        }
        TensorResult result;
        try
        {
            result = await classifier.InferAsync(input.Data.Span, rows, cancellationToken);
        }
        catch (BatchQueueFullException e)
        {
            throw new ProtocolException(StatusCodes.Status429TooManyRequests, e.Message);
        }
        catch (ModelNotReadyException e)
        {
            throw new ProtocolException(StatusCodes.Status503ServiceUnavailable, e.Message);
        }
        catch (ToolchainException e)
        {
            // Checked above against the model of that moment; a reload to a model of another shape lands here.
            throw ProtocolException.BadRequest(e.Message);
        }
        return new InferResponse(model.Name, result.Version.Id, request.Id,
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
