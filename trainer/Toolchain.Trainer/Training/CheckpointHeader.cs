using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Toolchain.Contracts;
using Toolchain.Trainer.Models;

namespace Toolchain.Trainer.Training;

/// <summary>The JSON part of a checkpoint.</summary>
internal sealed record CheckpointHeader(
    TrainingOptions Options, string Architecture, long[] InputShape, Dictionary<string, string> Card, int Epoch,
    string DatasetSpec, long InitSeed, List<EpochRecord> History, EpochCursor? Cursor)
{
    /// <summary>The epoch of the lowest validation loss (absent in checkpoints without validation or from before it).</summary>
    public int? BestEpoch { get; init; }

    /// <summary>Whether early stopping ended the run.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>Whether the stored weights are <see cref="BestEpoch"/>'s, brought back at the end of the run.</summary>
    public bool RestoredBest { get; init; }

    /// <summary>Whether a fifth section with the best epoch's weights follows the optimizer state.</summary>
    public bool HasBestWeights { get; init; }

    /// <summary>
    /// Checks every field that loading, resuming and exporting rely on, so a damaged or hand-edited header fails here
    /// with one line naming <paramref name="path"/> instead of as a null reference or a native torch error later.
    /// <paramref name="weightBytes"/> is the size of the stored weights section, which bounds how large the network
    /// the header describes can be. Returns the parsed architecture and card.
    /// </summary>
    public (ArchitectureSpec Spec, ModelCard Card) Validate(string path, long weightBytes)
    {
        void Check([DoesNotReturnIf(false)] bool ok, string problem)
        {
            if (!ok)
            {
                throw new InvalidInputFileException(path, problem);
            }
        }
        // Deserialisation leaves fields missing from the JSON null even where the record says they cannot be.
        Check(Options is not null, "checkpoint header has no training options");
        Check(Architecture is not null, "checkpoint header has no architecture");
        Check(InputShape is not null, "checkpoint header has no input shape");
        Check(Card is not null, "checkpoint header has no model card");
        Check(!string.IsNullOrEmpty(DatasetSpec), "checkpoint header has no dataset");
        Check(History is not null, "checkpoint header has no history");

        try
        {
            Options.Validate();
        }
        catch (ToolchainException e)
        {
            throw new InvalidInputFileException(path, $"checkpoint options are invalid: {OneLine(e)}", e);
        }
        ArchitectureSpec spec;
        try
        {
            spec = ArchitectureSpec.Parse(Architecture);
        }
        catch (SpecParseException e)
        {
            throw new InvalidInputFileException(path, $"stores an unreadable architecture: {e.OneLine}", e);
        }
        var optionsSpec = ArchitectureSpec.Parse(Options.Architecture).Canonical;
        Check(optionsSpec == spec.Canonical, $"its options' architecture '{optionsSpec}' differs from its stored architecture '{spec.Canonical}'");

        string shape = ArchitectureSpec.FormatShape(InputShape);
        Check(InputShape.Length is 1 or 3, $"input shape {shape} is neither [features] nor [channels,height,width]");
        Check(InputShape.All(d => d > 0), $"input shape {shape} is not a positive shape");
        try
        {
            spec.InferShapes(InputShape);
        }
        catch (SpecParseException e)
        {
            throw new InvalidInputFileException(path, $"its architecture does not fit input shape {shape}: {e.OneLine}", e);
        }
        // Checked before any tensor exists: a huge shape would otherwise make torch try to allocate it.
        double needed = ModelBuilder.ParameterCount(spec, InputShape) * (Options.ElementType == ElementType.Float64 ? 8 : 4);
        Check(needed <= weightBytes, string.Create(CultureInfo.InvariantCulture,
            $"input shape {shape} needs {needed:0} bytes of weights for {spec.Canonical} but the checkpoint stores {weightBytes}"));

        ModelCard? card;
        try
        {
            card = ModelCard.FromMetadata(Card);
        }
        catch (FormatException e)
        {
            throw new InvalidInputFileException(path, $"checkpoint's model card is unreadable: {e.Message}", e);
        }
        Check(card is not null, "checkpoint header has no model card");
        Check(card!.InputShape.SequenceEqual([-1L, .. InputShape]),
            $"input shape {shape} differs from its model card's {ArchitectureSpec.FormatShape(card.InputShape)}");

        Check(Epoch >= 0, $"completed epoch count {Epoch} is negative");
        Check(History.Count == Epoch + 1 && History.Select((r, i) => r is not null && r.Epoch == i).All(ok => ok),
            $"its history does not list epochs 0 to {Epoch}");
        if (Cursor is { } c)
        {
            Check(c.Epoch == Epoch + 1, $"its unfinished epoch is {c.Epoch}, not {Epoch + 1}");
            Check(c.Permutation is not null && IsPermutation(c.Permutation), $"its unfinished epoch {c.Epoch} has no valid example order");
            long batches = (c.Permutation!.LongLength + Options.BatchSize - 1) / Options.BatchSize;
            Check(c.NextBatch >= 0 && c.NextBatch < batches, $"its unfinished epoch resumes at batch {c.NextBatch} of {batches}");
            Check(c.Seen >= 0 && c.Correct >= 0 && c.Correct <= c.Seen && double.IsFinite(c.LossSum) && double.IsFinite(c.Seconds),
                $"its unfinished epoch {c.Epoch} has inconsistent running totals");
        }
        return (spec, card);
    }

    private static bool IsPermutation(long[] order)
    {
        var seen = new bool[order.Length];
        foreach (var i in order)
        {
            if (i < 0 || i >= order.Length || seen[i])
            {
                return false;
            }
            seen[i] = true;
        }
        return true;
    }

    private static string OneLine(Exception e) => e is SpecParseException s ? s.OneLine : e.Message;
}
