using System.Net;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Endpoints;

/// <summary>The image limits come from configuration (Classifier:Images:*), like every other setting.</summary>
public sealed class ConfiguredImageLimitsTests() : TinyModelServiceTests(("Classifier:Images:MaxSide", "16"), ("Classifier:Images:MaxPixels", "1000"))
{
    [Fact]
    public async Task An_image_over_the_configured_side_is_refused_with_the_configured_number()
    {
        using var response = await Service.PostImageAsync(LabelledTinyModels.Png(3));

        await ClassifyEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "over the limit of 16 px per side");
    }

    [Fact]
    public void The_limits_in_force_are_the_configured_ones()
    {
        Assert.Equal(16, Service.Classifier.GetStatus().Preprocessor!.Limits.MaxSide);
        Assert.Equal(1000, Service.Classifier.GetStatus().Preprocessor!.Limits.MaxPixels);
    }
}
