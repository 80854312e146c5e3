using System.Globalization;
using System.Text;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Export;

/// <summary>One input or output of a Triton model configuration.</summary>
internal sealed record TritonTensor(string Name, ElementType Type, IReadOnlyList<long> Dims, string? LabelFile = null);

/// <summary>
/// A Triton Inference Server model configuration (config.pbtxt, the text format of <c>inference.ModelConfig</c> in
/// triton-inference-server/common's model_config.proto) for one of our ONNX models on Triton's ONNX Runtime backend.
/// </summary>
internal sealed record TritonModelConfig
{
    /// <summary>The label file every exported model folder holds beside config.pbtxt.</summary>
    public const string LabelFileName = "labels.txt";

    public required string Name { get; init; }
    public required int MaxBatchSize { get; init; }
    public required IReadOnlyList<TritonTensor> Inputs { get; init; }
    public required IReadOnlyList<TritonTensor> Outputs { get; init; }
    public required int Instances { get; init; }
    public required bool Gpu { get; init; }
    public required long MaxQueueDelayMicroseconds { get; init; }

    /// <summary>
    /// The configuration for <paramref name="info"/>, a model with our card: dims from the card without the batch
    /// axis (Triton adds it back from max_batch_size), the card's element type for input and outputs, the label file
    /// on the class output when it has one column per label.
    /// </summary>
    public static TritonModelConfig For(string name, ModelInfo info, int maxBatchSize, int instances, long maxQueueDelayMicroseconds, bool gpu)
    {
        var card = info.IsForeign ? throw new InvalidOperationException("a Triton configuration needs the model card") : info.Card;
        if (card.IsRegression)
        {
            // A regression's one output holds a value per target, in the targets' units: no classes, so no label file on it.
            return For(name, card, [new TritonTensor(card.OutputName, card.ElementType, [card.TargetNames.Count], null)], maxBatchSize, instances, maxQueueDelayMicroseconds, gpu);
        }
        // The binary nets end in one sigmoid column for two labels: no label per column, so no label file on it.
        var classes = card.Task == ModelTask.Binary ? 1 : card.Labels.Count;
        var labelled = classes == card.Labels.Count ? LabelFileName : null;
        var outputs = new List<TritonTensor> { new(card.OutputName, card.ElementType, [classes], card.ProbabilitiesName is null ? labelled : null) };
        if (card.ProbabilitiesName is { } probabilities)
        {
            outputs.Add(new TritonTensor(probabilities, card.ElementType, [classes], labelled));
        }
        return For(name, card, outputs, maxBatchSize, instances, maxQueueDelayMicroseconds, gpu);
    }

    private static TritonModelConfig For(string name, ModelCard card, List<TritonTensor> outputs, int maxBatchSize, int instances,
        long maxQueueDelayMicroseconds, bool gpu) => new()
        {
            Name = name,
            MaxBatchSize = maxBatchSize,
            Inputs = [new TritonTensor(card.InputName, card.ElementType, [.. card.InputShape.Skip(1)])],
            Outputs = outputs,
            Instances = instances,
            Gpu = gpu,
            MaxQueueDelayMicroseconds = maxQueueDelayMicroseconds,
        };

    /// <summary>Triton's data type name for an element type.</summary>
    public static string DataType(ElementType type) => type switch
    {
        ElementType.Float32 => "TYPE_FP32",
        ElementType.Float64 => "TYPE_FP64",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The protobuf text format, as Triton reads it.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.Append("# Written by infer export triton from the model card; Triton's ONNX Runtime backend serves 1/model.onnx.\n");
        text.Append("name: ").Append(Quote(Name)).Append('\n');
        text.Append("platform: \"onnxruntime_onnx\"\n");
        text.Append("max_batch_size: ").Append(Num(MaxBatchSize)).Append('\n');
        Tensors(text, "input", Inputs);
        Tensors(text, "output", Outputs);
        // Our batcher fills a batch up to its maximum, holding the oldest request back at most the delay: that is
        // Triton's dynamic batcher with the maximum as its one preferred size and the same delay.
        text.Append("dynamic_batching {\n");
        text.Append("  preferred_batch_size: [ ").Append(Num(MaxBatchSize)).Append(" ]\n");
        text.Append("  max_queue_delay_microseconds: ").Append(Num(MaxQueueDelayMicroseconds)).Append('\n');
        text.Append("}\n");
        text.Append("instance_group [\n  {\n");
        text.Append("    count: ").Append(Num(Instances)).Append('\n');
        text.Append("    kind: ").Append(Gpu ? "KIND_GPU" : "KIND_CPU").Append('\n');
        text.Append("  }\n]\n");
        return text.ToString();
    }

    private static void Tensors(StringBuilder text, string field, IReadOnlyList<TritonTensor> tensors)
    {
        text.Append(field).Append(" [\n");
        for (var i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            text.Append("  {\n");
            text.Append("    name: ").Append(Quote(t.Name)).Append('\n');
            text.Append("    data_type: ").Append(DataType(t.Type)).Append('\n');
            text.Append("    dims: [ ").AppendJoin(", ", t.Dims.Select(Num)).Append(" ]\n");
            if (t.LabelFile is { } labels)
            {
                text.Append("    label_filename: ").Append(Quote(labels)).Append('\n');
            }
            text.Append(i + 1 < tensors.Count ? "  },\n" : "  }\n");
        }
        text.Append("]\n");
    }

    /// <summary>A protobuf text-format string literal: quotes, backslashes and control characters escaped, UTF-8 as octal escapes.</summary>
    private static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            text.Append(b switch
            {
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                (byte)'\n' => "\\n",
                < 0x20 or >= 0x7f => "\\" + Convert.ToString(b, 8).PadLeft(3, '0'),
                _ => ((char)b).ToString(),
            });
        }
        return text.Append('"').ToString();
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
