using System.Globalization;
using Toolchain.Contracts;

namespace Toolchain.Shared.Data.Tables;

/// <summary>One split of a table: row-major features and class ids.</summary>
/// <param name="Features">Count × feature-count values, row-major.</param>
/// <param name="Labels">Class id per row.</param>
public sealed record TableSplit(double[] Features, int[] Labels)
{
    /// <summary>Rows.</summary>
    public int Count => Labels.Length;
}

/// <summary>A table dataset loaded and split: feature names in input order, class names (index = class id), both splits.</summary>
/// <param name="Name">What is recorded as the dataset: the full path of the file or folder.</param>
/// <param name="FeatureNames">Feature columns in input order.</param>
/// <param name="LabelColumn">The label column's name.</param>
/// <param name="ClassNames">The label values, index = class id: in numeric order when all are numbers, else ordinal.</param>
/// <param name="Train">Training split.</param>
/// <param name="Test">Test split.</param>
/// <param name="TestFraction">The fraction split off for testing, or null when the data came with its own test file.</param>
/// <param name="SplitSeed">The seed of that split.</param>
public sealed record LoadedTable(string Name, IReadOnlyList<string> FeatureNames, string LabelColumn, IReadOnlyList<string> ClassNames,
    TableSplit Train, TableSplit Test, double? TestFraction, int SplitSeed)
{
    /// <summary>Columns left out of the features (--ignore-columns), in the order given.</summary>
    public IReadOnlyList<string> IgnoredColumns { get; init; } = [];
}

/// <summary>
/// CSV tables as datasets: one file split with <c>--test-fraction</c> (stratified, seeded), or a folder holding
/// <c>train.csv</c> and <c>test.csv</c>. Every column but the label is a numeric feature read with the invariant
/// culture; the label column holds any text, and its distinct values become the class names.
/// </summary>
public static class TableDataset
{
    /// <summary>The files a table folder holds.</summary>
    public const string TrainFile = "train.csv", TestFile = "test.csv";

    /// <summary>The test fraction used when one file is given without <c>--test-fraction</c>.</summary>
    public const double DefaultTestFraction = 0.2;

    /// <summary>Whether <paramref name="dataset"/> names a table: a .csv/.tsv file, or a folder with train.csv.</summary>
    public static bool IsTable(string dataset) =>
        (File.Exists(dataset) && (dataset.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || dataset.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase)))
        || (Directory.Exists(dataset) && File.Exists(Path.Combine(dataset, TrainFile)));

    /// <summary>The card hyperparameter naming the columns left out of the features, comma-separated.</summary>
    public const string IgnoredColumnsKey = "ignored_columns";

    /// <summary>
    /// Loads the table(s) at <paramref name="dataset"/>. <paramref name="labelColumn"/> null means the last column
    /// (said through <paramref name="notice"/>). Columns named in <paramref name="ignoreColumns"/> (an id, a name, a
    /// free-text note) are not features. Throws <see cref="InvalidInputFileException"/> or
    /// <see cref="ToolchainException"/> with one line for every bad input.
    /// </summary>
    public static LoadedTable Load(string dataset, string? labelColumn, double? testFraction, int splitSeed, Action<string>? notice = null,
        IReadOnlyCollection<string>? ignoreColumns = null)
    {
        ignoreColumns ??= [];
        var full = Path.GetFullPath(dataset);
        if (Directory.Exists(full))
        {
            var trainPath = Path.Combine(full, TrainFile);
            var testPath = Path.Combine(full, TestFile);
            if (!File.Exists(testPath))
            {
                throw new ToolchainException($"{full}: holds {TrainFile} but no {TestFile}; add one, or pass {trainPath} with --test-fraction");
            }
            if (testFraction is not null)
            {
                throw new ToolchainException($"--test-fraction: {full} has its own {TestFile}; pass a single file to split one");
            }
            var train = CsvTable.Read(trainPath);
            var test = CsvTable.Read(testPath);
            var label = ChooseLabel(train, labelColumn, notice);
            var features = FeatureColumns(train, label, ignoreColumns);
            var classes = ClassNames(train, label);
            return new LoadedTable(full, features, label, classes,
                Rows(train, features, label, classes), Rows(test, features, label, classes), null, splitSeed)
            { IgnoredColumns = [.. ignoreColumns] };
        }
        var table = CsvTable.Read(full);
        var labelName = ChooseLabel(table, labelColumn, notice);
        var featureNames = FeatureColumns(table, labelName, ignoreColumns);
        var classNames = ClassNames(table, labelName);
        var all = Rows(table, featureNames, labelName, classNames);
        var fraction = testFraction ?? DefaultTestFraction;
        var (trainIdx, testIdx) = StratifiedSplit.Split(all.Labels, fraction, splitSeed);
        if (testIdx.Length == 0 || trainIdx.Length == 0)
        {
            throw new ToolchainException($"{full}: {all.Count} rows are too few to split {fraction.ToString("0.###", CultureInfo.InvariantCulture)} off for testing");
        }
        return new LoadedTable(full, featureNames, labelName, classNames,
            Select(all, trainIdx, featureNames.Count), Select(all, testIdx, featureNames.Count), fraction, splitSeed)
        { IgnoredColumns = [.. ignoreColumns] };
    }

    /// <summary>
    /// Reads the rows of <paramref name="table"/> whose columns named <paramref name="features"/> (in any order in the
    /// file) are numbers and whose <paramref name="label"/> is one of <paramref name="classes"/>.
    /// </summary>
    public static TableSplit Rows(CsvTable table, IReadOnlyList<string> features, string label, IReadOnlyList<string> classes)
    {
        var columns = ColumnsOf(table, features);
        int labelIndex = table.IndexOf(label);
        if (labelIndex < 0)
        {
            throw new InvalidInputFileException(table.Source, $"has no label column '{label}' (columns: {string.Join(", ", table.Header)})");
        }
        if (table.Rows.Count == 0)
        {
            throw new InvalidInputFileException(table.Source, "has a header but no rows");
        }
        var classIds = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var values = new double[table.Rows.Count * features.Count];
        var labels = new int[table.Rows.Count];
        for (int r = 0; r < table.Rows.Count; r++)
        {
            var (line, fields) = table.Rows[r];
            RequireWidth(table, line, fields);
            for (int f = 0; f < features.Count; f++)
            {
                values[(r * features.Count) + f] = Cell(table, line, fields, columns[f]);
            }
            var name = fields[labelIndex];
            if (!classIds.TryGetValue(name, out labels[r]))
            {
                throw new InvalidInputFileException(table.Source, name.Length == 0
                    ? $"line {line}: the label column '{label}' is empty"
                    : $"line {line}: label '{Shorten(name)}' does not occur in the training data (classes: {string.Join(", ", classes.Take(10))})");
            }
        }
        return new TableSplit(values, labels);
    }

    /// <summary>
    /// The positions in <paramref name="table"/>'s header of the <paramref name="features"/>, in their order; throws
    /// naming the missing ones (and the columns that are there) when any is absent.
    /// </summary>
    public static int[] ColumnsOf(CsvTable table, IReadOnlyList<string> features)
    {
        var missing = features.Where(f => table.IndexOf(f) < 0).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidInputFileException(table.Source,
                $"lacks the feature column{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing.Select(m => $"'{m}'"))} " +
                $"(the model takes {string.Join(", ", features)}; the file has {string.Join(", ", table.Header)})");
        }
        return features.Select(table.IndexOf).ToArray();
    }

    /// <summary>Refuses a row whose field count differs from the header's, naming its line.</summary>
    public static void RequireWidth(CsvTable table, int line, string[] fields)
    {
        if (fields.Length != table.Header.Count)
        {
            throw new InvalidInputFileException(table.Source, $"line {line} has {fields.Length} fields but the header has {table.Header.Count}");
        }
    }

    /// <summary>The number in <paramref name="fields"/>[<paramref name="column"/>], or an error naming the line and column.</summary>
    public static double Cell(CsvTable table, int line, string[] fields, int column) =>
        CsvTable.Number(fields[column]) ?? throw new InvalidInputFileException(table.Source, fields[column].Length == 0
            ? $"line {line}, column '{table.Header[column]}': the cell is empty"
            : $"line {line}, column '{table.Header[column]}': '{Shorten(fields[column])}' is not a number");

    private static string ChooseLabel(CsvTable table, string? labelColumn, Action<string>? notice)
    {
        if (labelColumn is not null)
        {
            return table.IndexOf(labelColumn) >= 0
                ? labelColumn
                : throw new InvalidInputFileException(table.Source, $"has no label column '{labelColumn}' (columns: {string.Join(", ", table.Header)})");
        }
        var last = table.Header[^1];
        notice?.Invoke($"label column: '{last}', the last one (--label-column chooses another)");
        return last;
    }

    private static List<string> FeatureColumns(CsvTable table, string label, IReadOnlyCollection<string> ignore)
    {
        var unknown = ignore.Where(c => table.IndexOf(c) < 0).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidInputFileException(table.Source,
                $"--ignore-columns: has no column {string.Join(", ", unknown.Select(c => $"'{Shorten(c)}'"))} (columns: {string.Join(", ", table.Header)})");
        }
        if (ignore.Contains(label))
        {
            throw new ToolchainException($"--ignore-columns: '{label}' is the label column; it cannot be left out");
        }
        var features = table.Header.Where(h => h != label && !ignore.Contains(h)).ToList();
        return features.Count > 0 ? features : throw new InvalidInputFileException(table.Source, $"has no feature columns besides the label '{label}'");
    }

    private static List<string> ClassNames(CsvTable table, string label)
    {
        int index = table.IndexOf(label);
        if (table.Rows.Count == 0)
        {
            throw new InvalidInputFileException(table.Source, "has a header but no rows");
        }
        foreach (var (line, fields) in table.Rows)
        {
            RequireWidth(table, line, fields);
        }
        var classes = ClassOrder(table.Rows.Select(r => r.Fields[index]).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal));
        return classes.Count >= 2
            ? classes
            : throw new InvalidInputFileException(table.Source, $"has only one class in its label column '{label}'{(classes.Count == 1 ? $" ('{Shorten(classes[0])}')" : "")}; a classifier needs at least two");
    }

    /// <summary>
    /// Labels that are all numbers (0, 1, 10; 3.5) in numeric order, as pandas and scikit-learn order a numeric column,
    /// so class 10 follows class 9; any other labels in ordinal order.
    /// </summary>
    private static List<string> ClassOrder(IEnumerable<string> labels)
    {
        var distinct = labels.ToList();
        return distinct.All(l => CsvTable.Number(l) is not null)
            ? [.. distinct.OrderBy(l => CsvTable.Number(l)!.Value).ThenBy(l => l, StringComparer.Ordinal)]
            : [.. distinct.Order(StringComparer.Ordinal)];
    }

    private static TableSplit Select(TableSplit all, int[] rows, int width)
    {
        var features = new double[rows.Length * width];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(all.Features, rows[i] * width, features, i * width, width);
        }
        return new TableSplit(features, rows.Select(r => all.Labels[r]).ToArray());
    }

    private static string Shorten(string s) => s.Length <= 30 ? s : s[..30] + "…";
}
