using Google.Protobuf;
using Onnx;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Tests.Runtime;

public sealed class ModelIntegrityTests : IDisposable
{
    // Bit 0 is the lowest mantissa bit of w[0] (1/28): a one-ulp change no output comparison could see.
    private const long LowestBit = 0;
    // Bit 30 is the top exponent bit of w[0]: 1/28 becomes about 1e37.
    private const long ExponentBit = 30;

    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static OnnxModelOptions Cpu(bool verify = true) => new() { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1, VerifyIntegrity = verify };

    private string IntactModel() => TinyOnnxModels.WriteImageClassifier(_dir.File("model.onnx"), withIntegrity: true);

    private string CorruptModel(long bit)
    {
        var path = IntactModel();
        ModelCorruption.FlipInitializerBit(path, "w", bit);
        return path;
    }

    [Fact]
    public void A_model_matching_its_record_loads_verified_and_classifies()
    {
        using var model = OnnxModel.Load(IntactModel(), Cpu());

        Assert.Equal(IntegrityStatus.Verified, model.Info.Integrity.Status);
        Assert.Contains("graph digest", model.Info.Integrity.Detail);
        Assert.Contains("4 reference outputs within 0.0001 on cpu", model.Info.Integrity.Detail);
        Assert.Equal(3, model.Classify(TinyOnnxModels.ReferenceImages()[3], 1)[0].Label);
    }

    [Theory]
    [InlineData(LowestBit)]
    [InlineData(ExponentBit)]
    public void One_flipped_weight_bit_makes_Load_throw_ModelIntegrityException_with_one_line(long bit)
    {
        var path = CorruptModel(bit);

        var e = Assert.Throws<ModelIntegrityException>(() => OnnxModel.Load(path, Cpu()));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("integrity", e.Problem);
        Assert.Contains("digest", e.Problem);
        // The way out: the message names the option that loads the model anyway.
        Assert.StartsWith($"{path}: {e.Problem}", e.Message);
        Assert.Contains(nameof(OnnxModelOptions.VerifyIntegrity), e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.IsAssignableFrom<ToolchainException>(e);
    }

    [Fact]
    public void With_verification_off_the_corrupted_model_loads_and_says_it_was_not_checked()
    {
        var path = CorruptModel(ExponentBit);

        using var model = OnnxModel.Load(path, Cpu(verify: false));

        Assert.Equal(IntegrityStatus.NotChecked, model.Info.Integrity.Status);
        // What the record protects against: w[0] ≈ 1e37 makes every image whose first pixel is lit class 0.
        Assert.Equal(0, model.Classify(TinyOnnxModels.ImageForClass(5, on: 1, off: 1), 1)[0].Label);
    }

    [Fact]
    public void Flipping_the_bit_back_restores_a_file_that_verifies_so_rewriting_the_protobuf_keeps_the_digest()
    {
        var path = CorruptModel(LowestBit);
        ModelCorruption.FlipInitializerBit(path, "w", LowestBit);

        using var model = OnnxModel.Load(path, Cpu());

        Assert.Equal(IntegrityStatus.Verified, model.Info.Integrity.Status);
    }

    [Fact]
    public void Outputs_that_differ_from_the_recorded_reference_fail_even_when_the_digest_matches()
    {
        var path = IntactModel();
        RewriteReference(path, r => r with { Outputs = r.Outputs.Select((v, i) => i == 13 ? v + 0.01 : v).ToArray() });

        var e = Assert.Throws<ModelIntegrityException>(() => OnnxModel.Load(path, Cpu()));

        Assert.Equal(path, e.FilePath);
        Assert.DoesNotContain('\n', e.Message);
        Assert.All(["'logits'", "4 reference inputs", "0.01", "0.0001"], fact => Assert.Contains(fact, e.Problem));
        Assert.Contains(nameof(OnnxModelOptions.VerifyIntegrity), e.Message);
    }

    [Fact]
    public void Reference_outputs_within_the_tolerance_pass()
    {
        var path = IntactModel();
        // Logits are about 3: a relative change of 2e-5 is inside float32's 1e-4.
        RewriteReference(path, r => r with { Outputs = r.Outputs.Select(v => v * (1 + 2e-5)).ToArray() });

        using var model = OnnxModel.Load(path, Cpu());

        Assert.Equal(IntegrityStatus.Verified, model.Info.Integrity.Status);
    }

    [Fact]
    public void A_float64_model_is_checked_against_its_float64_reference()
    {
        var path = TinyOnnxModels.WriteBinary(_dir.File("xor.onnx"), withIntegrity: true);
        using (var model = OnnxModel.Load(path, Cpu()))
        {
            Assert.Equal(IntegrityStatus.Verified, model.Info.Integrity.Status);
            Assert.Contains("within 1E-09", model.Info.Integrity.Detail);
        }

        RewriteReference(path, r => r with { Outputs = r.Outputs.Select((v, i) => i == 2 ? v + 1e-7 : v).ToArray() });

        var e = Assert.Throws<ModelIntegrityException>(() => OnnxModel.Load(path, Cpu()));
        Assert.Contains("its 'probability' outputs on the 4 reference inputs recorded at export differ by up to 1E-07", e.Message);
    }

    [Fact]
    public void A_card_without_integrity_keys_loads_as_before_and_says_nothing_was_recorded()
    {
        var path = TinyOnnxModels.WriteImageClassifier(_dir.File("old.onnx"));
        // The same bit that is refused in a model with a record: an older export has nothing to check it against.
        ModelCorruption.FlipInitializerBit(path, "w", LowestBit);

        using var model = OnnxModel.Load(path, Cpu());

        Assert.False(model.Info.IsForeign);
        Assert.False(model.Info.Card.HasIntegrityRecord);
        Assert.Equal(IntegrityStatus.NotRecorded, model.Info.Integrity.Status);
    }

    [Fact]
    public void A_foreign_model_without_a_card_loads_as_before()
    {
        var path = TinyOnnxModels.WriteForeignImageClassifier(_dir.File("foreign.onnx"));

        var options = Cpu();
        options.ForeignInput = new ForeignModelInput { InputShape = [-1, 1, 28, 28], Mean = 0.1307, Std = 0.3081 };

        using var model = OnnxModel.Load(path, options);

        Assert.Equal(IntegrityStatus.NotRecorded, model.Info.Integrity.Status);
    }

    [Fact]
    public void Describe_reports_a_failed_check_instead_of_throwing()
    {
        var path = CorruptModel(LowestBit);

        var info = OnnxModel.Describe(path);

        Assert.Equal(IntegrityStatus.Failed, info.Integrity.Status);
        Assert.StartsWith("failed: ", info.Integrity.ToString());
        Assert.Contains("digest", info.Integrity.ToString());
    }

    [Fact]
    public void A_changed_digest_in_the_card_fails_the_check()
    {
        var path = IntactModel();
        RewriteMetadata(path, ModelCardKeys.GraphSha256, v => (v[0] == '0' ? "1" : "0") + v[1..]);

        Assert.Throws<ModelIntegrityException>(() => OnnxModel.Load(path, Cpu()));
    }

    [Fact]
    public void A_malformed_integrity_record_is_a_malformed_card()
    {
        var path = IntactModel();
        RewriteMetadata(path, ModelCardKeys.Reference, _ => "{\"output\":\"logits\"");

        var e = Assert.Throws<InvalidInputFileException>(() => OnnxModel.Load(path, Cpu()));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("model card", e.Problem);
        Assert.Contains($"'{ModelCardKeys.Reference}'", e.Problem);
        Assert.Contains("JSON", e.Problem);
    }

    private static void RewriteReference(string path, Func<ReferenceExamples, ReferenceExamples> change) =>
        RewriteMetadata(path, ModelCardKeys.Reference, json => change(ReferenceExamples.Parse(json)).ToJson());

    /// <summary>Changes one metadata value and nothing else: the graph, and so its digest, stay as written.</summary>
    private static void RewriteMetadata(string path, string key, Func<string, string> change)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var entry = model.MetadataProps.Single(p => p.Key == key);
        entry.Value = change(entry.Value);
        File.WriteAllBytes(path, model.ToByteArray());
    }
}
