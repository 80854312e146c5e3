using System.Net;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Endpoints;

/// <summary>
/// DrawPage:Enabled false (the container image's and the manifests' setting): nobody can take the weights, since
/// neither GET /v1/model/file nor the page that needs it is served; classification and the card are unchanged.
/// </summary>
public sealed class DrawPageSettingTests() : TinyModelServiceTests((ServiceApp.DrawPageKey, "false"))
{
    [Theory]
    [InlineData("/v1/model/file")]
    [InlineData("/")]
    [InlineData("/draw.mjs")]
    [InlineData("/ort/ort.wasm.min.mjs")]
    public async Task The_weights_and_the_page_are_not_found(string path)
    {
        using var get = await Service.Client.GetAsync(path);
        using var head = await Service.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.NotEqual("application/octet-stream", get.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Classification_and_the_card_are_still_served()
    {
        using var classify = await Service.PostImageAsync(LabelledTinyModels.Png(3));
        using var card = await Service.Client.GetAsync("/v1/model");

        Assert.Equal(HttpStatusCode.OK, classify.StatusCode);
        Assert.Equal("digit 3", (await RunningService.JsonAsync(classify)).GetProperty("label").GetString());
        Assert.Equal(HttpStatusCode.OK, card.StatusCode);
    }
}

/// <summary>By default (make serve, dotnet run) the page and the weights it runs are served.</summary>
public sealed class DrawPageDefaultTests() : TinyModelServiceTests
{
    [Theory]
    [InlineData("/v1/model/file", "application/octet-stream")]
    [InlineData("/", "text/html")]
    public async Task The_page_and_the_weights_are_served(string path, string mediaType)
    {
        using var response = await Service.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
    }
}
