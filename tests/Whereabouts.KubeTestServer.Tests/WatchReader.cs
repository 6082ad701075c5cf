using System.Net;
using System.Text.Json.Nodes;

namespace Whereabouts.KubeTestServer.Tests;

/// <summary>A raw watch stream read line by line, each line one event as the apiserver frames them.</summary>
internal sealed class WatchReader : IAsyncDisposable
{
    // Guards against a hang only: a watch that never ends fails the test instead of stalling the run.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly HttpResponseMessage _response;
    private readonly StreamReader _lines;

    private WatchReader(HttpResponseMessage response, StreamReader lines) => (_response, _lines) = (response, lines);

    public HttpStatusCode Status => _response.StatusCode;

    public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

    public bool Chunked => _response.Headers.TransferEncodingChunked == true || _response.Version.Major >= 2;

    public static async Task<WatchReader> OpenAsync(ApiClient api, string collection, string query = "")
    {
        var response = await api.Http.GetAsync(collection + "?watch=true" + query, HttpCompletionOption.ResponseHeadersRead);
        return new WatchReader(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The next event, or null once the server ended the stream.</summary>
    public async Task<JsonObject?> NextAsync()
    {
        var line = await _lines.ReadLineAsync().WaitAsync(HangGuard);
        return line is null ? null : JsonNode.Parse(line)!.AsObject();
    }

    /// <summary>The next event that is not a BOOKMARK.</summary>
    public async Task<JsonObject?> NextChangeAsync()
    {
        while (true)
        {
            var e = await NextAsync();
            if (e is null || Type(e) != "BOOKMARK") return e;
        }
    }

    /// <summary>Every event until the server ends the stream.</summary>
    public async Task<List<JsonObject>> RestAsync()
    {
        var all = new List<JsonObject>();
        while (await NextAsync() is { } e) all.Add(e);
        return all;
    }

    public static string Type(JsonObject e) => e["type"]!.GetValue<string>();

    public static string Name(JsonObject e) => e["object"]!["metadata"]!["name"]!.GetValue<string>();

    public static string Rv(JsonObject e) => e["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>();

    public async ValueTask DisposeAsync()
    {
        _lines.Dispose();
        _response.Dispose();
        await Task.CompletedTask;
    }
}
