using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Toolchain.Contracts;

namespace Toolchain.Inference.Runtime;

/// <summary>Builds a <see cref="ModelInfo"/> from a session's metadata and graph, checking the card against the graph.</summary>
internal static class ModelInfoReader
{
    /// <summary>
    /// The model's info. With <paramref name="describeOnly"/>, a model without a card is described by its graph alone
    /// (no input to run it by is chosen), so it needs no <paramref name="foreign"/> and may have any inputs and types.
    /// </summary>
    public static ModelInfo Read(string path, InferenceSession session, OnnxFileHeader header, ForeignModelInput? foreign, bool describeOnly = false)
    {
        var meta = session.ModelMetadata;
        ModelCard? card;
        try
        {
            card = ModelCard.FromMetadata(meta.CustomMetadataMap);
        }
        catch (FormatException e)
        {
            throw new InvalidInputFileException(path, $"has a malformed model card: {e.Message}", e);
        }

        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;
        var common = new ModelInfo
        {
            // A foreign model described without supplied input has no contract to run by: an empty one stands in.
            Card = new ModelCard
            {
                Task = ModelTask.Multiclass,
                Labels = [],
                InputName = "",
                InputLayout = InputLayout.Nc,
                InputShape = [],
                ElementType = ElementType.Float32,
                OutputName = "",
            },
            IsForeign = true,
            OutputName = "",
            OutputIsProbability = false,
            Opset = header.Opset,
            Producer = header.Producer,
            Description = meta.GraphDescription.Length > 0 ? meta.GraphDescription : meta.Description,
            Inputs = inputs.Select(kv => Describe(kv.Key, kv.Value)).ToArray(),
            Outputs = outputs.Select(kv => Describe(kv.Key, kv.Value)).ToArray(),
        };

        return card is not null ? FromCard(path, card, inputs, outputs, common)
            : describeOnly ? common
            : FromForeign(path, foreign, inputs, outputs, common);
    }

    private static ModelInfo FromCard(string path, ModelCard card,
        IReadOnlyDictionary<string, NodeMetadata> inputs, IReadOnlyDictionary<string, NodeMetadata> outputs, ModelInfo common)
    {
        if (!inputs.TryGetValue(card.InputName, out var input))
        {
            throw new InvalidInputFileException(path, $"model card names input '{card.InputName}' but the graph has {Names(inputs)}");
        }
        var elementType = ElementTypeOf(path, card.InputName, input, inputOnly: true);
        if (elementType != card.ElementType)
        {
            throw new InvalidInputFileException(path, $"model card says {EnumText.Of(card.ElementType)} input but the graph's input '{card.InputName}' is {EnumText.Of(elementType)}");
        }
        CheckShape(path, card.InputShape, input, "model card");
        var outputName = card.ProbabilitiesName ?? card.OutputName;
        if (!outputs.TryGetValue(outputName, out var output))
        {
            throw new InvalidInputFileException(path, $"model card names output '{outputName}' but the graph has {Names(outputs)}");
        }
        ElementTypeOf(path, outputName, output);
        if (card.IsRegression)
        {
            var width = OutputWidth(output);
            if (width > 0 && width != card.TargetNames.Count)
            {
                throw new InvalidInputFileException(path,
                    $"model card names {card.TargetNames.Count} targets but the regression model's output '{outputName}' has {width} values per row");
            }
            return common with { Card = card, IsForeign = false, OutputName = outputName, OutputIsProbability = false };
        }
        var expectedLabels = card.Task == ModelTask.Binary ? 2 : OutputWidth(output);
        if (card.Labels.Count != expectedLabels && expectedLabels > 0)
        {
            throw new InvalidInputFileException(path,
                $"model card lists {card.Labels.Count} labels but the {EnumText.Of(card.Task)} model has {expectedLabels} classes");
        }
        return common with
        {
            Card = card,
            IsForeign = false,
            OutputName = outputName,
            // The card's binary output is the sigmoid probability; multiclass "logits" need a softmax.
            OutputIsProbability = card.ProbabilitiesName is not null || card.Task == ModelTask.Binary,
        };
    }

    private static ModelInfo FromForeign(string path, ForeignModelInput? foreign,
        IReadOnlyDictionary<string, NodeMetadata> inputs, IReadOnlyDictionary<string, NodeMetadata> outputs, ModelInfo common)
    {
        if (foreign is null)
        {
            throw new InvalidInputFileException(path,
                "has no toolchain model card, so its input shape and normalisation are unknown; supply them (input shape, mean, std) to run a foreign model");
        }
        if (inputs.Count != 1)
        {
            throw new InvalidInputFileException(path, $"foreign model has {inputs.Count} inputs ({Names(inputs)}); only single-input models are supported");
        }
        var (inputName, input) = inputs.First();
        var elementType = ElementTypeOf(path, inputName, input, inputOnly: true);
        if (foreign.InputShape.Count < 2 || foreign.InputShape.Skip(1).Any(d => d <= 0))
        {
            throw new InvalidInputFileException(path, $"the supplied input shape [{string.Join(',', foreign.InputShape)}] needs a batch axis and positive feature dimensions");
        }
        CheckShape(path, foreign.InputShape, input, "supplied input shape");
        if (!(foreign.Std > 0) || !double.IsFinite(foreign.Mean))
        {
            throw new InvalidInputFileException(path, "the supplied normalisation needs a finite mean and a positive std");
        }
        // Prefer an explicit probabilities output, as exporters that emit both name it so.
        var (outputName, output) = outputs.FirstOrDefault(kv => kv.Key.Contains("prob", StringComparison.OrdinalIgnoreCase));
        if (outputName is null)
        {
            (outputName, output) = outputs.First();
        }
        ElementTypeOf(path, outputName, output);
        var width = OutputWidth(output);
        if (width <= 0 && foreign.Labels is null)
        {
            throw new InvalidInputFileException(path, $"output '{outputName}' has no fixed class dimension; supply the labels");
        }
        var labels = foreign.Labels?.ToArray()
            ?? (width == 1 ? ["0", "1"] : Enumerable.Range(0, width).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray());
        var task = width == 1 ? ModelTask.Binary : ModelTask.Multiclass;
        if (width > 1 && labels.Length != width)
        {
            throw new InvalidInputFileException(path, $"{labels.Length} labels were supplied but output '{outputName}' has {width} classes");
        }
        return common with
        {
            Card = new ModelCard
            {
                Task = task,
                Labels = labels,
                InputName = inputName,
                InputLayout = foreign.InputShape.Count == 4 ? InputLayout.Nchw : InputLayout.Nc,
                InputShape = foreign.InputShape.ToArray(),
                ElementType = elementType,
                OutputName = outputName,
                Mean = foreign.Mean,
                Std = foreign.Std,
                PreprocessingMode = foreign.PreprocessingMode,
                ToolchainVersion = "",
            },
            OutputName = outputName,
            OutputIsProbability = outputName.Contains("prob", StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>The class dimension of a [batch, classes] output, or -1 when it is not fixed.</summary>
    public static int OutputWidth(NodeMetadata output) =>
        output.Dimensions.Length == 2 && output.Dimensions[1] > 0 ? output.Dimensions[1]
        : output.Dimensions.Length == 1 ? 1
        : -1;

    private static void CheckShape(string path, IReadOnlyList<long> declared, NodeMetadata input, string source)
    {
        var dims = input.Dimensions;
        var matches = dims.Length == declared.Count;
        for (var i = 1; matches && i < dims.Length; i++)
        {
            matches = dims[i] <= 0 || dims[i] == declared[i];
        }
        if (!matches)
        {
            throw new InvalidInputFileException(path,
                $"{source} gives input shape [{string.Join(',', declared)}] but the graph declares [{string.Join(',', dims)}]");
        }
    }

    /// <summary>The element type of an input (float32, float64 or uint8 pixels) or an output (float32 or float64).</summary>
    private static ElementType ElementTypeOf(string path, string name, NodeMetadata node, bool inputOnly = false) =>
        !node.IsTensor
            ? throw new InvalidInputFileException(path, $"'{name}' is not a tensor; only tensor inputs and outputs are supported")
            : node.ElementDataType switch
            {
                TensorElementType.Float => ElementType.Float32,
                TensorElementType.Double => ElementType.Float64,
                TensorElementType.UInt8 when inputOnly => ElementType.UInt8,
                var t => throw new InvalidInputFileException(path, $"'{name}' has element type {t}; only float32 and float64 are supported" +
                    (inputOnly ? " (and uint8 inputs)" : "")),
            };

    private static string Names(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        string.Join(", ", nodes.Keys.Select(k => $"'{k}'"));

    private static string Describe(string name, NodeMetadata node)
    {
        if (!node.IsTensor)
        {
            return $"{name}: {node.OnnxValueType}";
        }
        var type = node.ElementDataType switch
        {
            TensorElementType.Float => "float32",
            TensorElementType.Double => "float64",
            var t => t.ToString().ToLowerInvariant(),
        };
        var dims = node.Dimensions.Select((d, i) => d > 0 ? d.ToString(CultureInfo.InvariantCulture)
            : node.SymbolicDimensions.Length > i && node.SymbolicDimensions[i].Length > 0 ? node.SymbolicDimensions[i] : "?");
        return $"{name}: {type} [{string.Join(',', dims)}]";
    }
}
