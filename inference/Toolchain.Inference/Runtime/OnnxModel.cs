using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Toolchain.Contracts;

namespace Toolchain.Inference.Runtime;

/// <summary>
/// An ONNX model loaded into ONNX Runtime, ready to classify batches. Thread-safe: one instance serves concurrent
/// callers (ORT sessions run concurrently and this type holds no per-call state). Owns its native session; dispose
/// it once no call is in flight.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly long[] _featureDims;
    private readonly TensorElementType _inputType;
    private readonly TensorElementType _outputType;
    private readonly int _outputWidth;
    private readonly int _fixedBatch;
    private readonly bool _outputIsVector;
    private readonly OutputKind _outputKind;
    private readonly string[] _tensorOutputNames;
    private volatile bool _disposed;

    private enum OutputKind
    {
        Probabilities,
        Logits,
        /// <summary>A foreign model's output: probabilities when each row is a distribution, otherwise logits.</summary>
        Unknown,
        /// <summary>A regression's predicted values, passed on as they are.</summary>
        Values,
    }

    /// <summary>Numbers a run writes per example: <see cref="ClassCount"/> probabilities, or a regression's <see cref="ValueCount"/> values.</summary>
    private readonly int _rowOutputs;

    private OnnxModel(InferenceSession session, ExecutionProvider provider, ModelInfo info)
    {
        _session = session;
        ActiveProvider = provider;
        Info = info;
        _inputNames = [info.InputName];
        _outputNames = [info.OutputName];
        _featureDims = info.InputShape.Skip(1).ToArray();
        FeatureCount = (int)_featureDims.Aggregate(1L, (a, b) => a * b);
        _inputType = session.InputMetadata[info.InputName].ElementDataType;
        var output = session.OutputMetadata[info.OutputName];
        _outputType = output.ElementDataType;
        _outputWidth = ModelInfoReader.OutputWidth(output) is var w and > 0 ? w
            : info.Task == ModelTask.Binary ? 1 : info.Task == ModelTask.Regression ? info.Card.TargetNames.Count : info.Labels.Count;
        _outputIsVector = output.Dimensions.Length == 1;
        var batchDim = session.InputMetadata[info.InputName].Dimensions[0];
        _fixedBatch = batchDim > 0 ? batchDim : 0;
        ClassCount = info.Task == ModelTask.Binary ? 2 : info.Task == ModelTask.Regression ? 0 : info.Labels.Count;
        ValueCount = info.Task == ModelTask.Regression ? _outputWidth : 0;
        _rowOutputs = info.Task == ModelTask.Regression ? ValueCount : ClassCount;
        _outputKind = info.Task == ModelTask.Regression ? OutputKind.Values
            : info.OutputIsProbability ? OutputKind.Probabilities : info.IsForeign ? OutputKind.Unknown : OutputKind.Logits;
        InputSpec = new TensorSpec { Name = info.InputName, ElementType = _inputType, Shape = info.InputShape.ToArray() };
        OutputSpecs = session.OutputMetadata.Select(kv => TensorSpec.Of(kv.Key, kv.Value)).OfType<TensorSpec>().ToArray();
        _tensorOutputNames = OutputSpecs.Select(o => o.Name).ToArray();
    }

    /// <summary>The input as a tensor protocol describes it: name, the graph's element type, shape with -1 for the batch.</summary>
    public TensorSpec InputSpec { get; }

    /// <summary>The graph's outputs that split into rows (fixed non-batch axes), in the graph's order.</summary>
    public IReadOnlyList<TensorSpec> OutputSpecs { get; }

    /// <summary>
    /// The graph's fixed batch size, or 0 when the batch axis is free. Runs of fewer rows are filled up to it and runs of
    /// more split into several, so callers may pass any number of rows; a batcher caps its batches at it, and a tensor
    /// protocol describes the batch axis with it (a model exported at batch 1 takes [1,...], not [-1,...]).
    /// </summary>
    public int FixedBatch => _fixedBatch;

    /// <summary>What the model declares about itself.</summary>
    public ModelInfo Info { get; }

    /// <summary>The provider actually in use: <see cref="ExecutionProvider.Cuda"/> or <see cref="ExecutionProvider.Cpu"/>, never <see cref="ExecutionProvider.Auto"/>.</summary>
    public ExecutionProvider ActiveProvider { get; }

    /// <summary>Values per example (the product of the non-batch input dimensions).</summary>
    public int FeatureCount { get; }

    /// <summary>Probabilities per example: 2 for binary models ([1-p, p]), else the number of classes; 0 for a regression model.</summary>
    public int ClassCount { get; }

    /// <summary>Values per example of a regression model (one per target, <see cref="ModelCard.TargetNames"/>); 0 for a classifier.</summary>
    public int ValueCount { get; }

    /// <summary>
    /// Predicts <paramref name="count"/> model-ready examples laid out back to back with a regression model: returns
    /// <see cref="ValueCount"/> values per example, row after row, in the targets' own units (the graph undoes its
    /// standardisation). A classifier is refused with <see cref="ToolchainException"/>; cancellation as for <see cref="Classify"/>.
    /// </summary>
    public float[] PredictValues(ReadOnlySpan<float> inputs, int count, CancellationToken cancellationToken = default)
    {
        if (Info.Task != ModelTask.Regression)
        {
            throw new ToolchainException($"the model is a {EnumText.Of(Info.Task)} classifier; it predicts classes (Classify), not values");
        }
        var values = new float[Math.Max(0, count) * ValueCount];
        RunProbabilities(inputs, count, values, cancellationToken);
        return values;
    }

    /// <summary>
    /// Loads <paramref name="path"/>. Throws <see cref="InvalidInputFileException"/> for a missing, corrupt
    /// or non-ONNX file, or a foreign model without <see cref="OnnxModelOptions.ForeignInput"/>,
    /// <see cref="ModelIntegrityException"/> when the file fails the integrity record in its card (unless
    /// <see cref="OnnxModelOptions.VerifyIntegrity"/> is off), and <see cref="ToolchainException"/> when CUDA is
    /// required but cannot start.
    /// </summary>
    public static OnnxModel Load(string path, OnnxModelOptions? options = null)
    {
        options ??= new OnnxModelOptions();
        var header = OnnxFileHeader.Read(path);
        var (session, provider) = SessionFactory.Create(path, options);
        try
        {
            var info = ModelInfoReader.Read(path, session, header, options.ForeignInput);
            info = info with { Integrity = CheckIntegrity(path, session, info, provider, options) };
            if (info.Integrity.Status == IntegrityStatus.Failed)
            {
                throw new ModelIntegrityException(path, $"fails its integrity check ({info.Integrity.Detail})");
            }
            return new OnnxModel(session, provider, info);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads what <paramref name="path"/> declares without preparing it to classify, for tools that only describe a
    /// model. Unlike <see cref="Load"/> it accepts a model without a card and without
    /// <see cref="OnnxModelOptions.ForeignInput"/>, whatever its inputs and element types: then only the graph's fields
    /// (<see cref="ModelInfo.Inputs"/>, <see cref="ModelInfo.Outputs"/>, <see cref="ModelInfo.Opset"/>,
    /// <see cref="ModelInfo.Producer"/>, <see cref="ModelInfo.Description"/>) are filled in, <see cref="ModelInfo.IsForeign"/>
    /// is true and <see cref="ModelInfo.Card"/> is an empty stand-in (no labels, no input shape). A card is still read and checked against the graph. Throws as
    /// <see cref="Load"/> does for a missing, corrupt or non-ONNX file; a file failing its integrity check is
    /// described, with the failure in <see cref="ModelInfo.Integrity"/>, not refused.
    /// </summary>
    public static ModelInfo Describe(string path, OnnxModelOptions? options = null)
    {
        options ??= new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 };
        var header = OnnxFileHeader.Read(path);
        var (session, provider) = SessionFactory.Create(path, options);
        using (session)
        {
            var info = ModelInfoReader.Read(path, session, header, foreign: null, describeOnly: true);
            return info with { Integrity = CheckIntegrity(path, session, info, provider, options) };
        }
    }

    private static IntegrityReport CheckIntegrity(string path, InferenceSession session, ModelInfo info, ExecutionProvider provider, OnnxModelOptions options) =>
        info.Card is not { HasIntegrityRecord: true } ? IntegrityReport.NotRecorded
        : !options.VerifyIntegrity ? IntegrityReport.NotChecked
        : IntegrityCheck.Run(path, session, info.Card, provider);

    /// <summary>
    /// Classifies <paramref name="count"/> model-ready (normalised) examples laid out back to back. A float64 graph (the
    /// xor net) gets them widened here; every caller deals in floats. When <paramref name="cancellationToken"/> fires
    /// during the run, ONNX Runtime stops it between two operators and this throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public Prediction[] Classify(ReadOnlySpan<float> inputs, int count, CancellationToken cancellationToken = default)
    {
        RefuseRegression();
        var probs = ArrayPool<float>.Shared.Rent(Math.Max(1, count * ClassCount));
        try
        {
            RunProbabilities(inputs, count, probs.AsSpan(0, count * ClassCount), cancellationToken);
            return ToPredictions(probs, count);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(probs);
        }
    }

    /// <summary>
    /// Runs <paramref name="count"/> examples and writes <see cref="ClassCount"/> probabilities per example to
    /// <paramref name="probabilities"/>, without allocating per example: the path for large batches. A float64 graph
    /// gets the inputs widened into a pooled buffer. Cancellation as for <see cref="Classify"/>.
    /// </summary>
    public unsafe void RunProbabilities(ReadOnlySpan<float> inputs, int count, Span<float> probabilities, CancellationToken cancellationToken = default)
    {
        Validate(inputs.Length, count, probabilities.Length);
        if (_inputType == TensorElementType.Float)
        {
            fixed (float* p = inputs)
            {
                RunChunks((IntPtr)p, sizeof(float), count, probabilities, cancellationToken);
            }
            return;
        }
        if (_inputType == TensorElementType.UInt8)
        {
            // A uint8 graph takes pixels; callers deal in floats, which hold them exactly (0-255).
            var pixels = ArrayPool<byte>.Shared.Rent(Math.Max(1, inputs.Length));
            try
            {
                for (var i = 0; i < inputs.Length; i++)
                {
                    pixels[i] = (byte)Math.Clamp(MathF.Round(inputs[i]), 0, 255);
                }
                fixed (byte* p = pixels)
                {
                    RunChunks((IntPtr)p, sizeof(byte), count, probabilities, cancellationToken);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(pixels);
            }
            return;
        }
        var widened = ArrayPool<double>.Shared.Rent(Math.Max(1, inputs.Length));
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                widened[i] = inputs[i];
            }
            fixed (double* p = widened)
            {
                RunChunks((IntPtr)p, sizeof(double), count, probabilities, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(widened);
        }
    }

    /// <summary>Turns <paramref name="count"/> rows of <see cref="ClassCount"/> probabilities into predictions.</summary>
    public Prediction[] ToPredictions(ReadOnlySpan<float> probabilities, int count)
    {
        RefuseRegression();
        var labels = Info.Labels;
        var result = new Prediction[count];
        for (var i = 0; i < count; i++)
        {
            var row = probabilities.Slice(i * ClassCount, ClassCount).ToArray();
            var best = ArgMax(row);
            result[i] = new Prediction
            {
                Label = best,
                LabelName = best < labels.Count ? labels[best] : best.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Confidence = row[best],
                Probabilities = row,
            };
        }
        return result;
    }

    /// <summary>Index of the largest value; the first one on ties.</summary>
    internal static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var c = 1; c < row.Length; c++)
        {
            if (row[c] > row[best])
            {
                best = c;
            }
        }
        return best;
    }

    /// <summary>
    /// Runs <paramref name="rows"/> rows of raw input, laid out back to back in the graph's own element type
    /// (little-endian, as <see cref="InputSpec"/> says), and returns every output of <see cref="OutputSpecs"/> as raw
    /// bytes, row after row. No normalisation, widening or softmax: what a tensor protocol asks for. Cancellation as
    /// for <see cref="Classify"/>.
    /// </summary>
    internal byte[][] RunTensors(ReadOnlySpan<byte> input, int rows, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var rowBytes = (int)InputSpec.RowBytes;
        if (rows < 1 || (long)rows * rowBytes != input.Length)
        {
            throw new ToolchainException($"input holds {input.Length} bytes but {rows} rows of shape [{string.Join(',', _featureDims)}] need {(long)rows * rowBytes}");
        }
        if (_fixedBatch == 0 || rows == _fixedBatch)
        {
            return RunTensorBatch(input, rows, cancellationToken);
        }
        // The graph takes exactly _fixedBatch rows (a model from another tool, exported at batch 1): run that many at a
        // time, the last run filled up with copies of its last row, and keep the outputs of the real rows only.
        var outputs = OutputSpecs.Select(o => new byte[rows * o.RowBytes]).ToArray();
        var padded = new byte[_fixedBatch * rowBytes];
        for (var start = 0; start < rows; start += _fixedBatch)
        {
            var n = Math.Min(_fixedBatch, rows - start);
            var chunk = input.Slice(start * rowBytes, n * rowBytes);
            if (n < _fixedBatch)
            {
                chunk.CopyTo(padded);
                for (var row = n; row < _fixedBatch; row++)
                {
                    chunk[^rowBytes..].CopyTo(padded.AsSpan(row * rowBytes));
                }
                chunk = padded;
            }
            var ran = RunTensorBatch(chunk, _fixedBatch, cancellationToken);
            for (var o = 0; o < outputs.Length; o++)
            {
                var outputRow = (int)OutputSpecs[o].RowBytes;
                ran[o].AsSpan(0, n * outputRow).CopyTo(outputs[o].AsSpan(start * outputRow));
            }
        }
        return outputs;
    }

    /// <summary>One session run of <paramref name="rows"/> rows, as many as the graph takes.</summary>
    private unsafe byte[][] RunTensorBatch(ReadOnlySpan<byte> input, int rows, CancellationToken cancellationToken)
    {
        long[] shape = [rows, .. _featureDims];
        cancellationToken.ThrowIfCancellationRequested();
        fixed (byte* p = input)
        {
            using var inputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, _inputType, shape, (IntPtr)p, input.Length);
            using var runOptions = new RunOptions();
            // Declared after runOptions so it is disposed first (see Run).
            using var registration = cancellationToken.UnsafeRegister(static state => ((RunOptions)state!).Terminate = true, runOptions);
            try
            {
                using var outputs = _session.Run(runOptions, _inputNames, [inputValue], _tensorOutputNames);
                var result = new byte[outputs.Count][];
                for (var i = 0; i < outputs.Count; i++)
                {
                    var bytes = outputs[i].GetTensorMutableRawData();
                    var expected = rows * OutputSpecs[i].RowBytes;
                    if (bytes.Length != expected)
                    {
                        throw new ToolchainException($"output '{OutputSpecs[i].Name}' holds {bytes.Length} bytes for {rows} rows, not {expected}");
                    }
                    result[i] = bytes.ToArray();
                }
                return result;
            }
            catch (OnnxRuntimeException e) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("the model run was cancelled", e, cancellationToken);
            }
            catch (OnnxRuntimeException e)
            {
                throw new ToolchainException($"ONNX Runtime failed to run the model: {OrtErrorText.FirstLine(e)}", e);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _session.Dispose();
    }

    /// <summary>A regression model has no classes to name: its callers want <see cref="PredictValues"/>.</summary>
    private void RefuseRegression()
    {
        if (Info.Task == ModelTask.Regression)
        {
            throw new ToolchainException($"the model is a regression model ({string.Join(", ", Info.Card.TargetNames)}); it predicts values (PredictValues), not classes");
        }
    }

    private void Validate(int inputLength, int count, int probsLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (count < 0)
        {
            throw new ToolchainException($"example count must not be negative (got {count})");
        }
        if ((long)count * FeatureCount != inputLength)
        {
            throw new ToolchainException(
                $"input holds {inputLength} values but {count} examples of shape [{string.Join(',', _featureDims)}] need {(long)count * FeatureCount}");
        }
        if ((long)count * _rowOutputs > probsLength)
        {
            throw new ToolchainException($"output buffer holds {probsLength} values but {count} examples need {(long)count * _rowOutputs}");
        }
    }

    private unsafe void RunChunks(IntPtr input, int elementSize, int count, Span<float> probabilities, CancellationToken cancellationToken)
    {
        var chunk = _fixedBatch > 0 ? _fixedBatch : Math.Max(count, 1);
        for (var start = 0; start < count; start += chunk)
        {
            var n = Math.Min(chunk, count - start);
            var rows = input + ((nint)start * FeatureCount * elementSize);
            if (_fixedBatch == 0 || n == _fixedBatch)
            {
                RunBatch(rows, elementSize, n, probabilities.Slice(start * _rowOutputs, n * _rowOutputs), cancellationToken);
                continue;
            }
            // A graph fixed at a batch size runs the last few examples filled up with copies of the last one (see RunTensors).
            var rowBytes = FeatureCount * elementSize;
            var padded = ArrayPool<byte>.Shared.Rent(_fixedBatch * rowBytes);
            var paddedProbabilities = ArrayPool<float>.Shared.Rent(_fixedBatch * _rowOutputs);
            try
            {
                var real = new ReadOnlySpan<byte>((void*)rows, n * rowBytes);
                real.CopyTo(padded);
                for (var row = n; row < _fixedBatch; row++)
                {
                    real[^rowBytes..].CopyTo(padded.AsSpan(row * rowBytes));
                }
                fixed (byte* p = padded)
                {
                    RunBatch((IntPtr)p, elementSize, _fixedBatch, paddedProbabilities.AsSpan(0, _fixedBatch * _rowOutputs), cancellationToken);
                }
                paddedProbabilities.AsSpan(0, n * _rowOutputs).CopyTo(probabilities.Slice(start * _rowOutputs, n * _rowOutputs));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(padded);
                ArrayPool<float>.Shared.Return(paddedProbabilities);
            }
        }
    }

    private unsafe void RunBatch(IntPtr input, int elementSize, int n, Span<float> probabilities, CancellationToken cancellationToken)
    {
        var inputShape = new long[_featureDims.Length + 1];
        inputShape[0] = n;
        _featureDims.CopyTo(inputShape, 1);
        using var inputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, _inputType, inputShape,
            input, (long)n * FeatureCount * elementSize);
        var outputLength = n * _outputWidth;
        var outputShape = _outputIsVector
            ? new long[] { n }
            : [n, _outputWidth];
        if (_outputType == TensorElementType.Float)
        {
            var buffer = ArrayPool<float>.Shared.Rent(outputLength);
            try
            {
                fixed (float* o = buffer)
                {
                    using var outputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, _outputType,
                        outputShape, (IntPtr)o, (long)outputLength * sizeof(float));
                    Run(inputValue, outputValue, cancellationToken);
                }
                ToProbabilities(buffer.AsSpan(0, outputLength), n, probabilities);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }
        else
        {
            var buffer = ArrayPool<double>.Shared.Rent(outputLength);
            var narrowed = ArrayPool<float>.Shared.Rent(outputLength);
            try
            {
                fixed (double* o = buffer)
                {
                    using var outputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, _outputType,
                        outputShape, (IntPtr)o, (long)outputLength * sizeof(double));
                    Run(inputValue, outputValue, cancellationToken);
                }
                for (var i = 0; i < outputLength; i++)
                {
                    narrowed[i] = (float)buffer[i];
                }
                ToProbabilities(narrowed.AsSpan(0, outputLength), n, probabilities);
            }
            finally
            {
                ArrayPool<double>.Shared.Return(buffer);
                ArrayPool<float>.Shared.Return(narrowed);
            }
        }
    }

    /// <summary>
    /// One session run with RunOptions of its own: terminating it must not stop other callers' runs on the same session,
    /// as a shared RunOptions would. A cancelled token sets Terminate, which ORT checks between operators.
    /// </summary>
    private void Run(OrtValue input, OrtValue output, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var runOptions = new RunOptions();
        // Declared after runOptions so it is disposed first: Dispose waits for a callback in flight, so Terminate is
        // never set on disposed options.
        using var registration = cancellationToken.UnsafeRegister(static state => ((RunOptions)state!).Terminate = true, runOptions);
        try
        {
            _session.Run(runOptions, _inputNames, [input], _outputNames, [output]);
        }
        catch (OnnxRuntimeException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the model run was cancelled", e, cancellationToken);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ToolchainException($"ONNX Runtime failed to run the model: {OrtErrorText.FirstLine(e)}", e);
        }
    }

    private void ToProbabilities(ReadOnlySpan<float> raw, int n, Span<float> probabilities)
    {
        if (_outputKind == OutputKind.Values)
        {
            raw[..(n * _outputWidth)].CopyTo(probabilities);
            return;
        }
        if (_outputWidth == 1)
        {
            for (var i = 0; i < n; i++)
            {
                var v = raw[i];
                var p = _outputKind == OutputKind.Probabilities || (_outputKind == OutputKind.Unknown && v is >= 0 and <= 1)
                    ? v
                    : 1f / (1f + MathF.Exp(-v));
                probabilities[2 * i] = 1f - p;
                probabilities[(2 * i) + 1] = p;
            }
            return;
        }
        for (var i = 0; i < n; i++)
        {
            var row = raw.Slice(i * _outputWidth, _outputWidth);
            var dest = probabilities.Slice(i * _outputWidth, _outputWidth);
            if (_outputKind == OutputKind.Probabilities || (_outputKind == OutputKind.Unknown && IsDistribution(row)))
            {
                row.CopyTo(dest);
            }
            else
            {
                Softmax(row, dest);
            }
        }
    }

    private static bool IsDistribution(ReadOnlySpan<float> row)
    {
        var sum = 0.0;
        foreach (var v in row)
        {
            if (v is < 0 or > 1)
            {
                return false;
            }
            sum += v;
        }
        return Math.Abs(sum - 1) < 1e-3;
    }

    private static void Softmax(ReadOnlySpan<float> logits, Span<float> dest)
    {
        var max = float.NegativeInfinity;
        foreach (var v in logits)
        {
            max = MathF.Max(max, v);
        }
        var sum = 0f;
        for (var c = 0; c < logits.Length; c++)
        {
            dest[c] = MathF.Exp(logits[c] - max);
            sum += dest[c];
        }
        for (var c = 0; c < logits.Length; c++)
        {
            dest[c] /= sum;
        }
    }
}
