using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Endpoints;

/// <summary>Requests broken below the image: the multipart framing, the chunked encoding, the route.</summary>
public sealed class MalformedRequestTests : TinyModelServiceTests
{
    // Raw requests: broken chunked framing and Expect: 100-continue are Kestrel's to handle.
    private protected override bool OnSocket => true;

    private static byte[] MultipartBody(string boundary, bool closed, int extraFields = 0)
    {
        var text = new StringBuilder();
        for (var i = 0; i < extraFields; i++)
        {
            text.Append($"--{boundary}\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n");
        }
        text.Append($"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"d.png\"\r\nContent-Type: image/png\r\n\r\n");
        var body = new List<byte>(Encoding.ASCII.GetBytes(text.ToString()));
        body.AddRange(LabelledTinyModels.Png(2));
        if (closed)
        {
            body.AddRange(Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n"));
        }
        return [.. body];
    }

    private static byte[] RandomBytes()
    {
        var bytes = new byte[3000];
        new Random(11).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData("no closing boundary")]
    [InlineData("boundary that does not match the body")]
    [InlineData("random bytes")]
    [InlineData("20 form fields")]
    public async Task A_malformed_multipart_form_is_a_400_problem_and_the_service_keeps_serving(string what)
    {
        var (body, boundary) = what switch
        {
            "no closing boundary" => (MultipartBody("B0undary", closed: false), "B0undary"),
            "boundary that does not match the body" => (MultipartBody("B0undary", closed: true), "WRONG"),
            "random bytes" => (RandomBytes(), "B0undary"),
            "20 form fields" => (MultipartBody("B0undary", closed: true, extraFields: 20), "B0undary"),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        using var response = await Service.PostImageAsync(body, $"multipart/form-data; boundary={boundary}");

        await ClassifyEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "the multipart form cannot be read", what);
        using var after = await Service.PostImageAsync(LabelledTinyModels.Png(4));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task A_well_formed_multipart_form_with_the_same_framing_is_classified()
    {
        using var response = await Service.PostImageAsync(MultipartBody("B0undary", closed: true), "multipart/form-data; boundary=B0undary");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("digit 2", (await RunningService.JsonAsync(response)).GetProperty("label").GetString());
    }

    [Fact]
    public async Task A_malformed_chunk_size_is_a_400_not_a_500()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Service.Address.Host, Service.Address.Port);
        await using var stream = client.GetStream();
        var request = "POST /v1/classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);

        var statusLine = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("HTTP/1.1 400", statusLine);
        using var after = await Service.PostImageAsync(LabelledTinyModels.Png(4));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/no/such/path", HttpStatusCode.NotFound)]
    [InlineData("GET", "/v1/classify", HttpStatusCode.MethodNotAllowed)]
    [InlineData("DELETE", "/v1/model", HttpStatusCode.MethodNotAllowed)]
    public async Task Unknown_paths_and_wrong_methods_get_problem_details_too(string method, string path, HttpStatusCode status)
    {
        using var response = await Service.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, (await RunningService.JsonAsync(response)).GetProperty("status").GetInt32());
    }

    private async Task<string> RawResponseHeadAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Service.Address.Host, Service.Address.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var head = new StringBuilder();
        for (var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)); !string.IsNullOrEmpty(line);
             line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)))
        {
            head.Append(line).Append('\n');
        }
        return head.ToString();
    }

    [Fact]
    public async Task An_overflowing_chunk_size_on_an_image_body_is_a_malformed_body_not_a_form()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Service.Address.Host, Service.Address.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);

        var response = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.Contains("\"title\":\"Malformed request body\"", response);
        Assert.DoesNotContain("multipart", response);
    }

    [Fact]
    public async Task Expect_100_continue_over_the_limit_gets_413_before_any_body_is_sent()
    {
        // The body is never sent: a 100 Continue first would be the service asking for 6 MB it will refuse.
        var head = await RawResponseHeadAsync(
            "POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 6000000\r\nExpect: 100-continue\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 413", head);
        using var after = await Service.PostImageAsync(LabelledTinyModels.Png(4));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/v1/model")]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/metrics")]
    public async Task HEAD_is_answered_wherever_GET_is_with_the_same_status_and_no_body(string path)
    {
        using var get = await Service.Client.GetAsync(path);
        using var head = await Service.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }
}
