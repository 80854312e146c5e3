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
    /// free-text note) are not features. Rows are read one at a time into the feature array, so memory follows the
    /// numbers kept, not the text. Throws <see cref="InvalidInputFileException"/> or <see cref="ToolchainException"/>
    /// with one line for every bad input.
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
            List<string> features, classes;
            string label;
            TableSplit trainRows;
            using (var train = CsvTable.Open(trainPath))
            {
                label = ChooseLabel(train, labelColumn, notice);
                features = FeatureColumns(train, label, ignoreColumns);
                (trainRows, classes) = ReadAll(train, features, label);
            }
            using var test = CsvTable.Open(testPath);
            return new LoadedTable(full, features, label, classes, trainRows, Rows(test, features, label, classes), null, splitSeed)
            { IgnoredColumns = [.. ignoreColumns] };
        }
        using var table = CsvTable.Open(full);
        var labelName = ChooseLabel(table, labelColumn, notice);
        var featureNames = FeatureColumns(table, labelName, ignoreColumns);
        var (all, classNames) = ReadAll(table, featureNames, labelName);
        var fraction = testFraction ?? DefaultTestFraction;
        var (trainIdx, testIdx) = StratifiedSplit.Split(all.Labels, fraction, splitSeed);
        if (testIdx.Length == 0 || trainIdx.Length == 0)
        {
            var share = fraction.ToString("0.###", CultureInfo.InvariantCulture);
            // One row per class (an id or a free-text column taken for the label) leaves nothing to test each class on.
            throw new ToolchainException(classNames.Count * 2 > all.Count
                ? string.Create(CultureInfo.InvariantCulture, $"{full}: the label column '{CsvTable.Shorten(labelName)}' has {classNames.Count:N0} different values in {all.Count:N0} rows, too few rows per class to split {share} off for testing (--label-column chooses another column)")
                : $"{full}: {all.Count} rows are too few to split {share} off for testing");
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
        var classIds = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        return Read(table, features, label, name => classIds.TryGetValue(name, out var id) ? id : null,
            (line, name) => $"line {line}: label '{CsvTable.Shorten(name)}' does not occur in the training data (classes: {CsvTable.NameList(classes)})");
    }

    /// <summary>Every row of <paramref name="table"/>, its labels numbered as they first occur, then renumbered in <see cref="ClassOrder"/>.</summary>
    private static (TableSplit Rows, List<string> Classes) ReadAll(CsvTable table, IReadOnlyList<string> features, string label)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = Read(table, features, label, name => seen.TryGetValue(name, out var id) ? id : seen[name] = seen.Count, null);
        var classes = ClassOrder(seen.Keys);
        if (classes.Count < 2)
        {
            throw new InvalidInputFileException(table.Source, $"has only one class in its label column '{label}' ('{CsvTable.Shorten(classes[0])}'); a classifier needs at least two");
        }
        var renumber = new int[seen.Count];
        for (int c = 0; c < classes.Count; c++)
        {
            renumber[seen[classes[c]]] = c;
        }
        for (int r = 0; r < rows.Labels.Length; r++)
        {
            rows.Labels[r] = renumber[rows.Labels[r]];
        }
        return (rows, classes);
    }

    /// <summary>
    /// Reads every row: its width, its feature cells as numbers and its label as a class id through
    /// <paramref name="classOf"/> (null: not a known class, refused with <paramref name="unknown"/>'s line).
    /// </summary>
    private static TableSplit Read(CsvTable table, IReadOnlyList<string> features, string label, Func<string, int?> classOf,
        Func<int, string, string>? unknown)
    {
        var columns = ColumnsOf(table, features);
        int labelIndex = table.IndexOf(label);
        if (labelIndex < 0)
        {
            throw new InvalidInputFileException(table.Source, $"has no label column '{CsvTable.Shorten(label)}' (columns: {CsvTable.NameList(table.Header)})");
        }
        var values = new List<double>();
        var labels = new List<int>();
        foreach (var (line, fields) in table.Rows())
        {
            RequireWidth(table, line, fields);
            foreach (var column in columns)
            {
                values.Add(Cell(table, line, fields, column));
            }
            var name = fields[labelIndex];
            if (name.Length == 0)
            {
                throw new InvalidInputFileException(table.Source, $"line {line}: the label column '{CsvTable.Shorten(label)}' is empty");
            }
            labels.Add(classOf(name) ?? throw new InvalidInputFileException(table.Source, unknown!(line, name)));
        }
        if (labels.Count == 0)
        {
            throw new InvalidInputFileException(table.Source, "has a header but no rows");
        }
        return new TableSplit([.. values], [.. labels]);
    }

    /// <summary>
    /// The positions in <paramref name="table"/>'s header of the <paramref name="features"/>, in their order; throws
    /// naming the missing ones (and the columns that are there) when any is absent.
    /// </summary>
    public static int[] ColumnsOf(CsvTable table, IReadOnlyList<string> features)
    {
        var columns = features.Select(table.IndexOf).ToArray();
        var missing = features.Where((_, i) => columns[i] < 0).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidInputFileException(table.Source,
                $"lacks the feature column{(missing.Count == 1 ? "" : "s")} {CsvTable.NameList(missing.Select(m => $"'{m}'"))} " +
                $"(the model takes {CsvTable.NameList(features)}; the file has {CsvTable.NameList(table.Header)})");
        }
        return columns;
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
            ? $"line {line}, column '{CsvTable.Shorten(table.Header[column])}': the cell is empty"
            : $"line {line}, column '{CsvTable.Shorten(table.Header[column])}': '{CsvTable.Shorten(fields[column])}' is not a number");

    private static string ChooseLabel(CsvTable table, string? labelColumn, Action<string>? notice)
    {
        if (labelColumn is not null)
        {
            return table.IndexOf(labelColumn) >= 0
                ? labelColumn
                : throw new InvalidInputFileException(table.Source, $"has no label column '{CsvTable.Shorten(labelColumn)}' (columns: {CsvTable.NameList(table.Header)})");
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
                $"--ignore-columns: has no column {CsvTable.NameList(unknown.Select(c => $"'{c}'"))} (columns: {CsvTable.NameList(table.Header)})");
        }
        if (ignore.Contains(label))
        {
            throw new ToolchainException($"--ignore-columns: '{label}' is the label column; it cannot be left out");
        }
        var ignored = new HashSet<string>(ignore, StringComparer.Ordinal);
        var features = table.Header.Where(h => h != label && !ignored.Contains(h)).ToList();
        return features.Count > 0 ? features : throw new InvalidInputFileException(table.Source, $"has no feature columns besides the label '{CsvTable.Shorten(label)}'");
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
}
