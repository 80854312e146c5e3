using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.Data.Tables;
using Toolchain.TestSupport;

namespace Toolchain.Data.Tests.Tables;

public class TableDatasetTests
{
    private const string Iris = "a,b,species\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n9,10,x\n11,12,y\n13,14,x\n15,16,y\n17,18,x\n19,20,y\n";

    private static string Write(TempFolder folder, string name, string text)
    {
        var path = folder.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData(",")]
    [InlineData(";")]
    [InlineData("\t")]
    public void Each_separator_reads_the_same_table(string separator)
    {
        using var folder = new TempFolder();
        var path = Write(folder, "t.csv", Iris.Replace(",", separator));

        var table = TableDataset.Load(path, "species", 0.2, 0);

        Assert.Equal(["a", "b"], table.FeatureNames);
        Assert.Equal(["x", "y"], table.ClassNames);
        Assert.Equal(10, table.Train.Count + table.Test.Count);
        using var table2 = CsvTable.Open(path);
        Assert.Equal(separator[0], table2.Separator);
    }

    [Fact]
    public void Numbers_are_read_with_the_invariant_culture_and_quoted_fields_are_unquoted()
    {
        using var folder = new TempFolder();
        var path = Write(folder, "t.csv", "f;\"na;me\"\n1.5;\"a \"\"b\"\"\"\n1e3;c\n");

        var (header, rows) = ReadAll(path);

        Assert.Equal(["f", "na;me"], header);
        Assert.Equal("a \"b\"", rows[0].Fields[1]);
        Assert.Equal(1000.0, CsvTable.Number(rows[1].Fields[0]));
        Assert.Null(CsvTable.Number("1,5"));
    }

    [Fact]
    public void The_label_column_defaults_to_the_last_and_says_so()
    {
        using var folder = new TempFolder();
        var path = Write(folder, "t.csv", Iris);
        var notices = new List<string>();

        var table = TableDataset.Load(path, null, 0.2, 0, notices.Add);

        Assert.Equal("species", table.LabelColumn);
        Assert.Contains(notices, n => n.Contains("'species'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_folder_with_train_and_test_files_matches_test_columns_by_name()
    {
        using var folder = new TempFolder();
        Write(folder, "train.csv", Iris);
        Write(folder, "test.csv", "species,b,a\ny,4,3\nx,2,1\n");

        var table = TableDataset.Load(folder.Path, "species", null, 0);

        Assert.Equal([3.0, 4.0, 1.0, 2.0], table.Test.Features);
        Assert.Equal([1, 0], table.Test.Labels);
        Assert.Null(table.TestFraction);
    }

    [Theory]
    [InlineData("a,b,species\n1,2,x\n", "nope", "no label column 'nope'")]
    [InlineData("a,b,species\n1,2,x\n3,zz,y\n", "species", "line 3, column 'b': 'zz' is not a number")]
    [InlineData("", "species", "is empty")]
    [InlineData("a,b,species\n1,2,x\n3,4\n", "species", "line 3 has 2 fields but the header has 3")]
    [InlineData("a,b,species\n1,2,x\n3,4,x\n", "species", "only one class")]
    [InlineData("a,b,species\n", "species", "no rows")]
    public void Bad_tables_fail_with_one_line_naming_the_problem(string text, string label, string expected)
    {
        using var folder = new TempFolder();
        var path = Write(folder, "t.csv", text);

        var e = Assert.Throws<InvalidInputFileException>(() => TableDataset.Load(path, label, 0.5, 0));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_missing_feature_column_is_named()
    {
        using var folder = new TempFolder();
        var path = Write(folder, "rows.csv", "b,c\n1,2\n");

        using var table = CsvTable.Open(path);
        var e = Assert.Throws<InvalidInputFileException>(() => TableDataset.ColumnsOf(table, ["a", "b"]));

        Assert.Contains("lacks the feature column 'a'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_split_is_stratified_and_the_same_for_the_same_seed()
    {
        var labels = Enumerable.Range(0, 100).Select(i => i < 80 ? 0 : 1).ToArray();

        var (train, test) = StratifiedSplit.Split(labels, 0.25, 7);
        var again = StratifiedSplit.Split(labels, 0.25, 7);
        var other = StratifiedSplit.Split(labels, 0.25, 8);

        Assert.Equal(20, test.Count(i => labels[i] == 0));
        Assert.Equal(5, test.Count(i => labels[i] == 1));
        Assert.Equal(100, train.Length + test.Length);
        Assert.Empty(train.Intersect(test));
        Assert.Equal(test, again.Test);
        Assert.NotEqual(test, other.Test);
    }

    [Fact]
    public void Numeric_labels_are_ordered_as_numbers_so_class_10_follows_class_9()
    {
        using var folder = new TempFolder();
        var rows = string.Concat(Enumerable.Range(0, 24).Select(i => $"{i},{i % 12}\n"));
        var path = Write(folder, "t.csv", "f,digit\n" + rows);

        var table = TableDataset.Load(path, "digit", 0.5, 0);

        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"], table.ClassNames);
    }

    [Fact]
    public void Ignored_columns_are_not_features_and_are_recorded()
    {
        using var folder = new TempFolder();
        var path = Write(folder, "t.csv", "id,name,a,b,species\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"{i},n{i},{i},{2 * i},{(i % 2 == 0 ? "x" : "y")}\n")));

        var table = TableDataset.Load(path, "species", 0.2, 0, ignoreColumns: ["name", "id"]);

        Assert.Equal(["a", "b"], table.FeatureNames);
        Assert.Equal(["name", "id"], table.IgnoredColumns);
        // Without it, the text column stops the load at its first row.
        var e = Assert.Throws<InvalidInputFileException>(() => TableDataset.Load(path, "species", 0.2, 0, ignoreColumns: ["id"]));
        Assert.Contains("column 'name'", e.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ignoring_a_column_the_table_lacks_or_the_label_is_refused()
    {
        using var folder = new TempFolder();
        var path = Write(folder, "t.csv", Iris);

        var missing = Assert.Throws<InvalidInputFileException>(() => TableDataset.Load(path, "species", 0.2, 0, ignoreColumns: ["nope"]));
        Assert.Contains("'nope'", missing.Message, StringComparison.Ordinal);
        var label = Assert.Throws<ToolchainException>(() => TableDataset.Load(path, "species", 0.2, 0, ignoreColumns: ["species"]));
        Assert.Contains("'species' is the label column", label.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trailing_separator_on_every_line_adds_no_column_but_a_value_in_the_unnamed_column_is_refused()
    {
        using var folder = new TempFolder();
        var exported = Write(folder, "t.csv", "a,b,species,\n1,2,x,\n3,4,y,\n");
        var filled = Write(folder, "u.csv", "a,b,species,\n1,2,x,\n3,4,y,9\n");

        var (header, rows) = ReadAll(exported);
        Assert.Equal(["a", "b", "species"], header);
        Assert.Equal(3, rows[1].Fields.Length);
        var e = Assert.Throws<InvalidInputFileException>(() => ReadAll(filled));
        Assert.Equal($"{filled}: line 3: column 4 holds '9' but has no name in the header", e.Message);
    }

    [Fact]
    public void The_separator_is_the_one_the_header_uses_most()
    {
        using var folder = new TempFolder();
        var path = Write(folder, "t.tsv", "weight, kg\theight\tspecies\n1.5\t2\tx\n");

        using var table = CsvTable.Open(path);

        Assert.Equal('\t', table.Separator);
        Assert.Equal(["weight, kg", "height", "species"], table.Header);
    }

    private static (IReadOnlyList<string> Header, List<CsvRow> Rows) ReadAll(string path)
    {
        using var table = CsvTable.Open(path);
        return (table.Header, table.Rows().ToList());
    }
}
