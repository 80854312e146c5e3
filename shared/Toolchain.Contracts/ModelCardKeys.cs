namespace Toolchain.Contracts;

/// <summary>
/// The ONNX <c>metadata_props</c> keys of a model card. The exporter writes them and the inference library
/// reads them; both use these constants and nothing else.
/// </summary>
public static class ModelCardKeys
{
    /// <summary>Prefix shared by all keys, so ours never collide with other tools' metadata.</summary>
    public const string Prefix = "toolchain.";

    /// <summary>"binary", "multiclass" or "regression".</summary>
    public const string Task = Prefix + "task";
    /// <summary>JSON array of class names, index = class id.</summary>
    public const string Labels = Prefix + "labels";
    /// <summary>Name of the graph input.</summary>
    public const string InputName = Prefix + "input.name";
    /// <summary>"NCHW" for images, "NC" for feature vectors.</summary>
    public const string InputLayout = Prefix + "input.layout";
    /// <summary>JSON array of the input shape, batch axis as -1, e.g. [-1,1,28,28].</summary>
    public const string InputShape = Prefix + "input.shape";
    /// <summary>"float32" or "float64".</summary>
    public const string ElementType = Prefix + "input.element_type";
    /// <summary>Name of the main output (logits or probability).</summary>
    public const string OutputName = Prefix + "output.name";
    /// <summary>Name of the probabilities output, when the graph has one.</summary>
    public const string ProbabilitiesName = Prefix + "output.probabilities";
    /// <summary>Pixel convention before normalisation, e.g. "white-on-black, scaled to [0,1]" (<see cref="Toolchain.Contracts.PixelConvention"/>).</summary>
    public const string PixelConvention = Prefix + "preprocess.pixels";
    /// <summary>Normalisation mean (invariant culture, round-trip).</summary>
    public const string NormalizationMean = Prefix + "preprocess.mean";
    /// <summary>Normalisation standard deviation.</summary>
    public const string NormalizationStd = Prefix + "preprocess.std";
    /// <summary>
    /// JSON array of per-channel normalisation means, one per input channel, when they differ by channel (colour
    /// images). Absent on single-channel models and on cards written before it, whose scalar mean applies to every channel.
    /// </summary>
    public const string ChannelMeans = Prefix + "preprocess.channel_mean";
    /// <summary>JSON array of per-channel normalisation standard deviations, beside <see cref="ChannelMeans"/>.</summary>
    public const string ChannelStds = Prefix + "preprocess.channel_std";
    /// <summary>
    /// "true" when the graph normalises its own input (a Sub/Div at its head), so callers pass raw values and skip the
    /// card's mean/std; absent or "false" otherwise.
    /// </summary>
    public const string NormalizationInGraph = Prefix + "normalization_in_graph";
    /// <summary>JSON array of the input feature names in input order (tabular models).</summary>
    public const string FeatureNames = Prefix + "input.feature_names";
    /// <summary>"digit" (MNIST centring), "resize" or "none" for vector inputs.</summary>
    public const string PreprocessingMode = Prefix + "preprocess.mode";
    /// <summary>Dataset name as recorded by the trainer (e.g. "mnist-sample").</summary>
    public const string DatasetName = Prefix + "dataset.name";
    /// <summary>Training example count.</summary>
    public const string DatasetTrainCount = Prefix + "dataset.train_count";
    /// <summary>Test example count.</summary>
    public const string DatasetTestCount = Prefix + "dataset.test_count";
    /// <summary>Canonical architecture spec.</summary>
    public const string Architecture = Prefix + "architecture";
    /// <summary>JSON object of hyperparameters.</summary>
    public const string Hyperparameters = Prefix + "hyperparameters";
    /// <summary>Training seed.</summary>
    public const string Seed = Prefix + "seed";
    /// <summary>Final test accuracy in [0,1].</summary>
    public const string TestAccuracy = Prefix + "metrics.test_accuracy";
    /// <summary>Final test loss.</summary>
    public const string TestLoss = Prefix + "metrics.test_loss";
    /// <summary>JSON array of a regression model's target columns, in output order (absent for classifiers).</summary>
    public const string TargetNames = Prefix + "target.names";
    /// <summary>
    /// JSON array of the training targets' means, one per target: the standardisation the network was trained in, which
    /// the graph's last Add undoes (value = z · std + mean).
    /// </summary>
    public const string TargetMeans = Prefix + "target.mean";
    /// <summary>JSON array of the training targets' standard deviations (population), which the graph's last Mul undoes.</summary>
    public const string TargetStds = Prefix + "target.std";
    /// <summary>A regression model's coefficient of determination R² on its test split (averaged over targets).</summary>
    public const string TestR2 = Prefix + "metrics.test_r2";
    /// <summary>A regression model's mean absolute error on its test split, in the target's units (averaged over targets).</summary>
    public const string TestMae = Prefix + "metrics.test_mae";
    /// <summary>A regression model's root mean squared error on its test split, in the target's units (averaged over targets).</summary>
    public const string TestRmse = Prefix + "metrics.test_rmse";
    /// <summary>Max absolute difference between ONNX Runtime and TorchSharp at export.</summary>
    public const string ExportParity = Prefix + "export.max_abs_diff";
    /// <summary>Version of the toolchain that wrote the model.</summary>
    public const string ToolchainVersion = Prefix + "version";
    /// <summary>Lower-case hex SHA-256 of the serialised graph (nodes and initializers), see SHA-256.</summary>
    public const string GraphSha256 = Prefix + "integrity.graph_sha256";
    /// <summary>JSON object of reference inputs and the outputs ONNX Runtime gave at export, see <see cref="ReferenceExamples"/>.</summary>
    public const string Reference = Prefix + "integrity.reference";
    /// <summary>Name of the pretrained backbone a transfer-learned model is built on (absent otherwise), see <see cref="BackboneRecord"/>.</summary>
    public const string BackboneName = Prefix + "backbone.name";
    /// <summary>Lower-case hex SHA-256 of the backbone file.</summary>
    public const string BackboneSha256 = Prefix + "backbone.sha256";
    /// <summary>Where the backbone's weights came from.</summary>
    public const string BackboneSource = Prefix + "backbone.source";
    /// <summary>The backbone weights' licence.</summary>
    public const string BackboneLicence = Prefix + "backbone.licence";
    /// <summary>How much of the backbone was trained: frozen, the last stage, or all.</summary>
    public const string BackboneTuning = Prefix + "backbone.tuning";
    /// <summary>The head's architecture spec on top of the backbone.</summary>
    public const string BackboneHead = Prefix + "backbone.head";
    /// <summary>How images are brought to the backbone's input size before the graph.</summary>
    public const string BackboneResize = Prefix + "backbone.resize";
    /// <summary>What the head reads from the backbone when more than its output (absent otherwise), see <see cref="BackboneRecord.Features"/>.</summary>
    public const string BackboneFeatures = Prefix + "backbone.features";
    /// <summary>
    /// JSON object saying how a quantized model was made from its float32 model and what it cost, see
    /// <see cref="QuantizationRecord"/>; absent on float32 models.
    /// </summary>
    public const string Quantization = Prefix + "quantization";

    /// <summary>
    /// Key inside the <see cref="Hyperparameters"/> object: a table's label column, or a regression's target columns
    /// joined by commas (<see cref="ModelCard.LabelColumn"/>).
    /// </summary>
    public const string LabelColumn = "label_column";
    /// <summary>
    /// Key inside the <see cref="Hyperparameters"/> object: the table columns left out of the features, joined by
    /// commas (<see cref="ModelCard.IgnoredColumns"/>); absent when none were.
    /// </summary>
    public const string IgnoredColumns = "ignored_columns";
    /// <summary>
    /// Key inside the <see cref="Hyperparameters"/> object: the fraction of a single file or folder the trainer held
    /// out for testing (invariant culture, round-trip; <see cref="ModelCard.TestFraction"/>); absent when the data came split.
    /// </summary>
    public const string TestFraction = "test_fraction";
    /// <summary>
    /// Key inside the <see cref="Hyperparameters"/> object: the seed of that split (<see cref="ModelCard.SplitSeed"/>).
    /// </summary>
    public const string SplitSeed = "split_seed";
    /// <summary>
    /// Key inside the <see cref="Hyperparameters"/> object: the seed of the xor draw the model was fitted to; its test
    /// draw is the next seed's (<see cref="ModelCard.DataSeed"/>).
    /// </summary>
    public const string DataSeed = "data_seed";
}
