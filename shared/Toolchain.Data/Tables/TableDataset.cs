using System.Globalization;
using Toolchain.Contracts;

namespace Toolchain.Data.Tables;

/// <summary>One split of a table: row-major features and class ids (or, for regression, target values).</summary>
/// <param name="Features">Count × feature-count values, row-major.</param>
/// <param name="Labels">Class id per row; for regression 0 in every row (one stratum, so the split is a plain seeded shuffle).</param>
public sealed record TableSplit(double[] Features, int[] Labels)
{
    /// <summary>Rows.</summary>
    public int Count => Labels.Length;

    /// <summary>Regression targets: Count × target-count values, row-major, in the target's units; empty for classes.</summary>
    public double[] Targets { get; init; } = [];
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

    /// <summary>
    /// The target columns of a regression, in output order (<see cref="LabelColumn"/> is them joined by commas); empty
    /// when the label column holds classes.
    /// </summary>
    public IReadOnlyList<string> TargetColumns { get; init; } = [];

    /// <summary>Whether the table trains a regression (numbers to predict) rather than a classifier.</summary>
    public bool IsRegression => TargetColumns.Count > 0;
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


    /// <summary>
    /// A numeric label column with more distinct values than this (or any value that is not a whole number) is a
    /// regression target when the task is <see cref="TableTask.Auto"/>; fewer whole numbers are class ids (digits, ratings).
    /// </summary>
    public const int MaxClassLikeValues = 20;

    /// <summary>Fewest rows a regression trains on: below this there is too little to fit and to test on.</summary>
    public const int MinRegressionRows = 10;

    /// <summary>
    /// Loads the table(s) at <paramref name="dataset"/>. <paramref name="labelColumn"/> null means the last column
    /// (said through <paramref name="notice"/>); for a regression it may name several target columns separated by
    /// commas. Columns named in <paramref name="ignoreColumns"/> (an id, a name, a free-text note) are not features.
    /// <paramref name="task"/> says what the label is; <see cref="TableTask.Auto"/> decides from its values and says
    /// so through <paramref name="notice"/>. Rows are read one at a time into the feature array, so memory follows the
    /// numbers kept, not the text. Throws <see cref="InvalidInputFileException"/> or <see cref="ToolchainException"/>
    /// with one line for every bad input.
    /// </summary>
    public static LoadedTable Load(string dataset, string? labelColumn, double? testFraction, int splitSeed, Action<string>? notice = null,
        IReadOnlyCollection<string>? ignoreColumns = null, TableTask task = TableTask.Auto)
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
            List<string> features;
            IReadOnlyList<string> labels;
            Labelled trainRows;
            using (var train = CsvTable.Open(trainPath))
            {
                labels = ChooseLabels(train, labelColumn, notice);
                features = FeatureColumns(train, labels, ignoreColumns);
                trainRows = ReadLabelled(train, features, labels, task, notice);
            }
            using var test = CsvTable.Open(testPath);
            var testRows = trainRows.Targets.Count > 0
                ? Targets(test, features, trainRows.Targets)
                : Rows(test, features, labels[0], trainRows.Classes);
            RequireVaried(trainRows, trainRows.Rows, trainPath, "rows");
            return new LoadedTable(full, features, string.Join(',', labels), trainRows.Classes, trainRows.Rows, testRows, null, splitSeed)
            { IgnoredColumns = [.. ignoreColumns], TargetColumns = trainRows.Targets };
        }
        using var table = CsvTable.Open(full);
        var labelNames = ChooseLabels(table, labelColumn, notice);
        var featureNames = FeatureColumns(table, labelNames, ignoreColumns);
        var all = ReadLabelled(table, featureNames, labelNames, task, notice);
        var fraction = testFraction ?? DefaultTestFraction;
        var (trainIdx, testIdx) = StratifiedSplit.Split(all.Rows.Labels, fraction, splitSeed);
        if (testIdx.Length == 0 || trainIdx.Length == 0)
        {
            var share = fraction.ToString("0.###", CultureInfo.InvariantCulture);
            var classNames = all.Classes;
            // One row per class (an id or a free-text column taken for the label) leaves nothing to test each class on.
            throw new ToolchainException(classNames.Count * 2 > all.Rows.Count
                ? string.Create(CultureInfo.InvariantCulture, $"{full}: the label column '{CsvTable.Shorten(labelNames[0])}' has {classNames.Count:N0} different values in {all.Rows.Count:N0} rows, too few rows per class to split {share} off for testing (--label-column chooses another column)")
                : $"{full}: {all.Rows.Count} rows are too few to split {share} off for testing");
        }
        var trainSplit = Select(all.Rows, trainIdx, featureNames.Count, all.Targets.Count);
        RequireVaried(all, trainSplit, full, "training rows");
        return new LoadedTable(full, featureNames, string.Join(',', labelNames), all.Classes,
            trainSplit, Select(all.Rows, testIdx, featureNames.Count, all.Targets.Count), fraction, splitSeed)
        { IgnoredColumns = [.. ignoreColumns], TargetColumns = all.Targets };
    }

    /// <summary>The rows of a table with their labels: class names for a classifier, target columns for a regression.</summary>
    private sealed record Labelled(TableSplit Rows, List<string> Classes, IReadOnlyList<string> Targets);

    /// <summary>
    /// Reads every row with its label(s) as <paramref name="task"/> says. Several label columns are a regression; one
    /// column under <see cref="TableTask.Auto"/> is read as classes and becomes a regression when its values are
    /// numbers of which there are many, or any with a fraction (<see cref="MaxClassLikeValues"/>); the choice is told to
    /// <paramref name="notice"/>.
    /// </summary>
    private static Labelled ReadLabelled(CsvTable table, IReadOnlyList<string> features, IReadOnlyList<string> labels, TableTask task,
        Action<string>? notice)
    {
        if (labels.Count > 1 || task == TableTask.Regression)
        {
            if (task == TableTask.Classification)
            {
                throw new ToolchainException(
                    $"--task classification takes one label column, but --label-column names {labels.Count} ({CsvTable.NameList(labels.Select(l => $"'{l}'"))}); several targets are a regression");
            }
            var rows = Targets(table, features, labels);
            RequireRegressionRows(table.Source, rows.Count);
            notice?.Invoke(task == TableTask.Regression
                ? $"task: regression on {Quoted(labels)} (--task)"
                : $"task: regression on {Quoted(labels)} ({labels.Count} target columns; --task sets it)");
            return new Labelled(rows, [], labels);
        }
        var (classRows, classes, lines) = ReadAll(table, features, labels[0]);
        var label = labels[0];
        if (task == TableTask.Auto && RegressionValues(classes) is { } values)
        {
            for (int r = 0; r < classRows.Count; r++)
            {
                if (!double.IsFinite(values[classRows.Labels[r]]))
                {
                    throw new InvalidInputFileException(table.Source,
                        $"line {lines[r]}, column '{CsvTable.Shorten(label)}': '{CsvTable.Shorten(classes[classRows.Labels[r]])}' is not a number; a regression target needs a number in every row (--task classification treats the values as classes)");
                }
            }
            var targets = classRows.Labels.Select(id => values[id]).ToArray();
            var rows = new TableSplit(classRows.Features, new int[classRows.Count]) { Targets = targets };
            RequireRegressionRows(table.Source, rows.Count);
            notice?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"task: regression: '{label}' holds {classes.Count:N0} different numbers{(values.Any(v => double.IsFinite(v) && v != Math.Floor(v)) ? ", not all whole" : "")} (--task classification treats them as classes)"));
            return new Labelled(rows, [], labels);
        }
        if (classes.Count < 2)
        {
            throw new InvalidInputFileException(table.Source, $"has only one class in its label column '{label}' ('{CsvTable.Shorten(classes[0])}'); a classifier needs at least two");
        }
        if (task == TableTask.Auto)
        {
            notice?.Invoke(classes.All(c => CsvTable.Number(c) is not null)
                ? string.Create(CultureInfo.InvariantCulture, $"task: classification: '{label}' holds {classes.Count} whole numbers, taken as classes (--task regression predicts them as numbers)")
                : string.Create(CultureInfo.InvariantCulture, $"task: classification: '{label}' holds text, {classes.Count} classes"));
        }
        return new Labelled(classRows, classes, []);
    }

    /// <summary>
    /// The label values as numbers (index = class id) when they make a regression target under <see cref="TableTask.Auto"/>:
    /// every value a number (NaN and infinity included, so they are refused by row rather than made classes), and among
    /// the finite ones more than <see cref="MaxClassLikeValues"/> distinct values or any fraction. Null otherwise.
    /// </summary>
    private static double[]? RegressionValues(IReadOnlyList<string> names)
    {
        var values = new double[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            if (!double.TryParse(names[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
            {
                return null;
            }
        }
        var finite = values.Where(double.IsFinite).ToList();
        return finite.Count > 0 && (finite.Distinct().Count() > MaxClassLikeValues || finite.Any(v => v != Math.Floor(v))) ? values : null;
    }

    private static void RequireRegressionRows(string source, int rows)
    {
        if (rows < MinRegressionRows)
        {
            throw new InvalidInputFileException(source,
                $"has {rows} row{(rows == 1 ? "" : "s")}; a regression needs at least {MinRegressionRows} to fit and to test on");
        }
    }

    /// <summary>Refuses a regression target that does not vary over <paramref name="rows"/>: standardising it divides by zero and there is nothing to learn.</summary>
    private static void RequireVaried(Labelled all, TableSplit rows, string source, string which)
    {
        int width = all.Targets.Count;
        for (int t = 0; t < width; t++)
        {
            double first = rows.Targets[t];
            bool constant = true;
            for (int r = 1; r < rows.Count && constant; r++)
            {
                constant = rows.Targets[(r * width) + t] == first;
            }
            if (constant)
            {
                throw new InvalidInputFileException(source, string.Create(CultureInfo.InvariantCulture,
                    $"the target column '{CsvTable.Shorten(all.Targets[t])}' holds the same value ({first:G6}) in all {rows.Count} {which}; there is nothing to predict"));
            }
        }
    }

    private static string Quoted(IReadOnlyList<string> names) => CsvTable.NameList(names.Select(n => $"'{n}'"));

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

    /// <summary>
    /// Reads the rows of <paramref name="table"/> with the <paramref name="features"/> and the regression
    /// <paramref name="targets"/> (columns in any order in the file), every cell a number; a missing column is one line
    /// naming it, and an empty or non-numeric target cell one line naming its row and column.
    /// </summary>
    public static TableSplit Targets(CsvTable table, IReadOnlyList<string> features, IReadOnlyList<string> targets)
    {
        var columns = ColumnsOf(table, features);
        var targetColumns = targets.Select(table.IndexOf).ToArray();
        var missing = targets.Where((_, i) => targetColumns[i] < 0).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidInputFileException(table.Source,
                $"has no target column {CsvTable.NameList(missing.Select(m => $"'{m}'"))} (columns: {CsvTable.NameList(table.Header)})");
        }
        var values = new List<double>();
        var targetValues = new List<double>();
        foreach (var (line, fields) in table.Rows())
        {
            RequireWidth(table, line, fields);
            foreach (var column in columns)
            {
                values.Add(Cell(table, line, fields, column));
            }
            foreach (var column in targetColumns)
            {
                targetValues.Add(CsvTable.Number(fields[column]) ?? throw new InvalidInputFileException(table.Source,
                    $"line {line}, column '{CsvTable.Shorten(table.Header[column])}': {(fields[column].Length == 0 ? "the target is empty" : $"'{CsvTable.Shorten(fields[column])}' is not a number")}; a regression target needs a number in every row"));
            }
        }
        int rows = targetValues.Count / Math.Max(1, targets.Count);
        if (rows == 0)
        {
            throw new InvalidInputFileException(table.Source, "has a header but no rows");
        }
        return new TableSplit([.. values], new int[rows]) { Targets = [.. targetValues] };
    }

    /// <summary>
    /// Every row of <paramref name="table"/>, its labels numbered as they first occur, then renumbered in
    /// <see cref="ClassOrder"/>, with the line each row starts on.
    /// </summary>
    private static (TableSplit Rows, List<string> Classes, int[] Lines) ReadAll(CsvTable table, IReadOnlyList<string> features, string label)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = new List<int>();
        var rows = Read(table, features, label, name => seen.TryGetValue(name, out var id) ? id : seen[name] = seen.Count, null, lines);
        var classes = ClassOrder(seen.Keys);
        var renumber = new int[seen.Count];
        for (int c = 0; c < classes.Count; c++)
        {
            renumber[seen[classes[c]]] = c;
        }
        for (int r = 0; r < rows.Labels.Length; r++)
        {
            rows.Labels[r] = renumber[rows.Labels[r]];
        }
        return (rows, classes, [.. lines]);
    }

    /// <summary>
    /// Reads every row: its width, its feature cells as numbers and its label as a class id through
    /// <paramref name="classOf"/> (null: not a known class, refused with <paramref name="unknown"/>'s line).
    /// </summary>
    private static TableSplit Read(CsvTable table, IReadOnlyList<string> features, string label, Func<string, int?> classOf,
        Func<int, string, string>? unknown, List<int>? lines = null)
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
            lines?.Add(line);
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

    /// <summary>
    /// The label column(s): the one <paramref name="labelColumn"/> names (a header name holding a comma is taken whole),
    /// else its comma-separated names (several regression targets), else the last column.
    /// </summary>
    private static IReadOnlyList<string> ChooseLabels(CsvTable table, string? labelColumn, Action<string>? notice)
    {
        if (labelColumn is not null)
        {
            if (table.IndexOf(labelColumn) >= 0)
            {
                return [labelColumn];
            }
            var names = labelColumn.Split(',', StringSplitOptions.TrimEntries);
            if (names.Length > 1 && names.All(n => n.Length > 0))
            {
                var missing = names.Where(n => table.IndexOf(n) < 0).ToList();
                if (missing.Count > 0)
                {
                    throw new InvalidInputFileException(table.Source,
                        $"has no label column {CsvTable.NameList(missing.Select(m => $"'{m}'"))} (columns: {CsvTable.NameList(table.Header)})");
                }
                if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
                {
                    throw new ToolchainException($"--label-column names '{CsvTable.Shorten(names.GroupBy(n => n).First(g => g.Count() > 1).Key)}' twice");
                }
                return names;
            }
            throw new InvalidInputFileException(table.Source, $"has no label column '{CsvTable.Shorten(labelColumn)}' (columns: {CsvTable.NameList(table.Header)})");
        }
        var last = table.Header[^1];
        notice?.Invoke($"label column: '{last}', the last one (--label-column chooses another)");
        return [last];
    }

    private static List<string> FeatureColumns(CsvTable table, IReadOnlyList<string> labels, IReadOnlyCollection<string> ignore)
    {
        var unknown = ignore.Where(c => table.IndexOf(c) < 0).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidInputFileException(table.Source,
                $"--ignore-columns: has no column {CsvTable.NameList(unknown.Select(c => $"'{c}'"))} (columns: {CsvTable.NameList(table.Header)})");
        }
        if (labels.FirstOrDefault(ignore.Contains) is { } label)
        {
            throw new ToolchainException($"--ignore-columns: '{label}' is {(labels.Count == 1 ? "the label column" : "a target column")}; it cannot be left out");
        }
        var ignored = new HashSet<string>(ignore, StringComparer.Ordinal);
        var isLabel = new HashSet<string>(labels, StringComparer.Ordinal);
        var features = table.Header.Where(h => !isLabel.Contains(h) && !ignored.Contains(h)).ToList();
        return features.Count > 0 ? features
            : throw new InvalidInputFileException(table.Source, $"has no feature columns besides the label{(labels.Count == 1 ? "" : "s")} {Quoted(labels)}");
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

    private static TableSplit Select(TableSplit all, int[] rows, int width, int targets)
    {
        var features = new double[rows.Length * width];
        var values = new double[rows.Length * targets];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(all.Features, rows[i] * width, features, i * width, width);
            Array.Copy(all.Targets, rows[i] * targets, values, i * targets, targets);
        }
        return new TableSplit(features, rows.Select(r => all.Labels[r]).ToArray()) { Targets = values };
    }
}
