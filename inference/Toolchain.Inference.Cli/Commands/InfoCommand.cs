using System.Globalization;
using System.Reflection;
using CommandLine;
using Toolchain.Cli;
using Toolchain.Contracts;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Commands;

[Verb("info", HelpText = "Show a model's inputs, outputs, opset, model card and which execution providers work here.")]
internal sealed class InfoOptions
{
    [Option('m', "model", Required = true, HelpText = "ONNX model file.")]
    public string Model { get; set; } = "";

    [Option("json", HelpText = "Print one JSON object.")]
    public bool Json { get; set; }
}

/// <summary>Describes a model file.</summary>
internal static class InfoCommand
{
    public static int Run(InfoOptions o, CliConsole console)
    {
        // Describe, not Load: a model without our card cannot be run without --input-shape, but it can be described.
        var info = ModelLoader.Describe(o.Model, console);
        var providers = ProviderProbe.Probe();
        var card = CardFields(info.IsForeign ? null : info.Card);

        if (o.Json)
        {
            console.Out.WriteLine(JsonLine.Of(new InfoJson(o.Model, info.Inputs, info.Outputs, info.Opset, info.Producer, info.Description,
                new IntegrityJson(info.Integrity.StatusText, info.Integrity.Detail),
                info.IsForeign ? null : card.ToDictionary(f => f.Key, f => f.Value),
                providers.ToDictionary(p => EnumText.Of(p.Provider), p => new ProviderJson(p.Works, p.Detail)))));
            return ExitCodes.Ok;
        }

        var summary = new TextTable(o.Model, "property", "value");
        summary.AddRow("inputs", string.Join("; ", info.Inputs));
        summary.AddRow("outputs", string.Join("; ", info.Outputs));
        summary.AddRow("opset", info.Opset.ToString(CultureInfo.InvariantCulture));
        summary.AddRow("producer", info.Producer);
        summary.AddRow("doc string", info.Description);
        summary.AddRow("integrity", info.Integrity.ToString());
        console.Write(summary);
        console.Out.WriteLine();

        if (info.IsForeign)
        {
            // An empty table would only draw a header; say it in words and how such a model can still be run.
            console.Out.WriteLine("model card: none (foreign model; to run it, give --input-shape, --mean, --std and --labels)");
        }
        else
        {
            var cardTable = new TextTable("model card", "key", "value");
            foreach (var (key, value) in card)
            {
                cardTable.AddRow(key, value ?? "(not set)");
            }
            console.Write(cardTable);
        }
        console.Out.WriteLine();

        var providerTable = new TextTable("execution providers", "provider", "status");
        foreach (var p in providers)
        {
            providerTable.AddRow(EnumText.Of(p.Provider), p.Works ? $"works: {p.Detail}" : $"unavailable: {p.Detail}");
        }
        console.Write(providerTable);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Every model-card key defined in <see cref="ModelCardKeys"/>, with the card's value or null when the card leaves it
    /// unset; empty for a foreign model.
    /// </summary>
    private static List<(string Key, string? Value)> CardFields(ModelCard? card)
    {
        if (card is null)
        {
            return [];
        }
        var values = new Dictionary<string, string>(card.ToMetadata());
        if (card.Reference is { } reference)
        {
            // Kilobytes of base64 tell a reader nothing; what the reference holds does.
            values[ModelCardKeys.Reference] = reference.Describe();
        }
        return typeof(ModelCardKeys).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name != nameof(ModelCardKeys.Prefix))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Order(StringComparer.Ordinal)
            .Select(key => (key, values.TryGetValue(key, out var v) ? v : null))
            .ToList();
    }
}
