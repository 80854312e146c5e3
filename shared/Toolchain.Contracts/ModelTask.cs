namespace Toolchain.Contracts;

/// <summary>What a model predicts. Written to the card as "binary" or "multiclass".</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(ContractJsonConverter<ModelTask>))]
public enum ModelTask
{
    /// <summary>One probability (of class 1) per example, read as the two classes [1-p, p].</summary>
    Binary,

    /// <summary>One logit or probability per class.</summary>
    Multiclass,
}
