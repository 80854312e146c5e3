using System.Net;
using System.Text;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Endpoints;

/// <summary>
/// The exact problem bodies of a few representative refusals, pinned on purpose and in one place: a bad query value,
/// an image that is not one, and a form without a file. Every other service test asserts the status code, the problem
/// content type and the facts the detail carries (<see cref="ClassifyEndpointTests.AssertProblemAsync"/>).
/// </summary>
public sealed class ErrorBodyWordingTests : TinyModelServiceTests
{
    private static async Task<string> BodyOfAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = await RunningService.JsonAsync(response);
        return $"{json.GetProperty("status").GetInt32()} {json.GetProperty("title").GetString()}: {json.GetProperty("detail").GetString()}";
    }

    // Pinned: a bad query value names the parameter, the accepted range and the value sent, as every 400 should.
    [Fact]
    public async Task A_bad_top_k()
    {
        using var response = await Service.PostImageAsync(LabelledTinyModels.Png(2), query: "?top_k=three");

        Assert.Equal("400 Bad top_k: top_k must be a whole number of at least 1 (got 'three')", await BodyOfAsync(response, HttpStatusCode.BadRequest));
    }

    // Pinned: the commonest client mistake; it lists the formats the service takes.
    [Fact]
    public async Task A_body_that_is_not_an_image()
    {
        using var response = await Service.PostImageAsync(Encoding.ASCII.GetBytes("not a picture"));

        Assert.Equal("400 Undecodable image: request body: is not a supported image (expected PNG, JPEG, BMP, GIF or WebP content)", await BodyOfAsync(response, HttpStatusCode.BadRequest));
    }

    // Pinned: browser and curl users meet it first; it names the form field the service expects.
    [Fact]
    public async Task A_form_without_a_file()
    {
        using var form = new MultipartFormDataContent { { new StringContent("v"), "note" } };
        using var response = await Service.Client.PostAsync("/v1/classify", form);

        Assert.Equal("400 No image in the form: the multipart form has no file part; send the image as a file field named 'image'", await BodyOfAsync(response, HttpStatusCode.BadRequest));
    }
}
