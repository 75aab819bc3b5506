using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace LyftServing.AspNetCore.Internal.OpenApi;

/// <summary>
/// Describes the served models in the OpenAPI document, built anew for every request of the
/// document from the models' current primary versions: per-model features and output schemas
/// (from the signature of tensor models, from the .NET types of typed models), <c>POST /infer</c>
/// as a choice of per-model requests keyed by <c>model_id</c> with each model's self-test example,
/// the full problem schema, the 405 of <c>/infer</c> and the app's health check endpoints.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal sealed class ModelServingDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string ProblemSchemaId = "ModelServingProblem";
    private const string JsonContentType = "application/json";
    private const string HealthDisplayName = "Health checks";

    private static readonly string[] SubschemaKeywords = ["properties", "items", "additionalProperties", "not", "anyOf", "oneOf", "allOf", "$defs"];

    private static readonly JsonSchemaExporterOptions ExporterOptions = new()
    {
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = DescribeFiniteNumbers,
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var services = context.ApplicationServices;
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        document.Components.Schemas[ProblemSchemaId] = ProblemSchema();

        var models = services.GetService<IModelManager>() is { } manager && services.GetService<IModelProvider>() is { } provider
            ? DescribeModels(document, manager, provider)
            : [];
        foreach (var (description, kind) in ServingOperations(context))
        {
            var path = "/" + description.RelativePath?.TrimStart('/');
            if (document.Paths?.TryGetValue(path, out var item) != true
                || item!.Operations?.TryGetValue(new HttpMethod(description.HttpMethod ?? "GET"), out var operation) != true)
            {
                continue;
            }

            UseProblemSchema(operation!, document);
            if (kind == ModelServingEndpointKind.Infer)
            {
                DescribeInfer(operation!, document, models);
            }
        }

        DescribeHealthChecks(document, services);
        return Task.CompletedTask;
    }

    private static IEnumerable<(Microsoft.AspNetCore.Mvc.ApiExplorer.ApiDescription Description, ModelServingEndpointKind Kind)> ServingOperations(OpenApiDocumentTransformerContext context)
    {
        foreach (var group in context.DescriptionGroups)
        {
            foreach (var description in group.Items)
            {
                var marker = description.ActionDescriptor.EndpointMetadata?.OfType<ModelServingEndpointMetadata>().LastOrDefault();
                if (marker is not null)
                {
                    yield return (description, marker.Kind);
                }
            }
        }
    }

    /// <summary>Adds each served model's schemas to the components; returns the models described, by name.</summary>
    private static List<DescribedModel> DescribeModels(OpenApiDocument document, IModelManager manager, IModelProvider provider)
    {
        var described = new List<DescribedModel>();
        foreach (var status in manager.GetStatus().OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            if (!provider.TryGetJsonClient(status.Name, out var client))
            {
                continue;
            }

            var primary = status.PrimaryVersion is null ? null : status.Versions.FirstOrDefault(v => v.Version == status.PrimaryVersion);
            var signature = primary?.Signature;
            var features = client.FeaturesTypeInfo.Type == typeof(Tensors)
                ? TensorSchemas.DescribeInputs(signature?.Inputs)
                : TypeSchema(client.FeaturesTypeInfo, document);
            var output = client.OutputTypeInfo.Type == typeof(Tensors)
                ? TensorSchemas.DescribeOutputs(signature?.Outputs)
                : TypeSchema(client.OutputTypeInfo, document);
            features.Description ??= $"The features of {status.Name}{From(status.PrimaryVersion, signature)}.";
            output.Description ??= $"The output of {status.Name}{From(status.PrimaryVersion, signature)}.";

            var schemas = document.Components!.Schemas!;
            var names = new SchemaNames(status.Name);
            schemas[names.Features] = features;
            schemas[names.Output] = output;
            schemas[names.Request] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = $"A call of {status.Name}.",
                Required = new HashSet<string>(StringComparer.Ordinal) { "model_id", "features" },
                Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
                {
                    ["model_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(status.Name)] },
                    ["model_version"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A loaded version to call; leave it out to call the primary version.", Pattern = ModelNames.Pattern },
                    ["features"] = new OpenApiSchemaReference(names.Features, document),
                },
            };
            schemas[names.Response] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = $"The answer of {status.Name}.",
                Required = new HashSet<string>(StringComparer.Ordinal) { "model_id", "model_version", "output" },
                Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
                {
                    ["model_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(status.Name)] },
                    ["model_version"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The version that produced the output." },
                    ["output"] = new OpenApiSchemaReference(names.Output, document),
                },
            };

            var selfTests = primary?.SelfTests;
            described.Add(new DescribedModel(status.Name, names, status.PrimaryVersion, selfTests?.ExampleFeatures, selfTests?.ExampleOutput));
        }

        return described;
    }

    private static string From(string? version, ModelSignature? signature) =>
        version is null ? " (no version is serving: the schema is the general one)" : signature is null ? $", as version {version} reads them" : $", from the signature of version {version}";

    /// <summary>The JSON schema of a .NET type, as the model's serializer options read and write it.</summary>
    private static OpenApiSchema TypeSchema(JsonTypeInfo typeInfo, OpenApiDocument document)
    {
        var node = JsonSchemaExporter.GetJsonSchemaAsNode(typeInfo, ExporterOptions);
        return node is JsonObject root
            ? new OpenApiJsonReader().ReadFragment<OpenApiSchema>(WithoutBooleanSchemas(root), OpenApiSpecVersion.OpenApi3_1, document, out _, settings: null) ?? new OpenApiSchema()
            : new OpenApiSchema();
    }

    /// <summary>
    /// Describes the numbers Core reads with its own converters (finite <see cref="double"/> and
    /// <see cref="float"/>), which the exporter would describe as any JSON (<c>true</c>).
    /// </summary>
    private static JsonNode DescribeFiniteNumbers(JsonSchemaExporterContext context, JsonNode schema)
    {
        if (schema is not JsonValue value || value.GetValueKind() != JsonValueKind.True)
        {
            return schema;
        }

        var type = Nullable.GetUnderlyingType(context.TypeInfo.Type) ?? context.TypeInfo.Type;
        var format = type == typeof(double) ? "double" : type == typeof(float) ? "float" : null;
        if (format is null)
        {
            return schema;
        }

        var kind = type == context.TypeInfo.Type ? (JsonNode)"number" : new JsonArray("number", "null");
        return new JsonObject { ["type"] = kind, ["format"] = format };
    }

    /// <summary>Replaces boolean subschemas (<c>true</c>: anything, <c>false</c>: nothing), which the OpenAPI reader does not take, with their object forms.</summary>
    private static JsonObject WithoutBooleanSchemas(JsonObject schema)
    {
        foreach (var keyword in SubschemaKeywords)
        {
            switch (schema[keyword])
            {
                case JsonValue boolean when boolean.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                    schema[keyword] = AsObject(boolean);
                    break;
                case JsonObject child when keyword is "items" or "additionalProperties" or "not":
                    WithoutBooleanSchemas(child);
                    break;
                case JsonObject map:
                    foreach (var name in map.Select(p => p.Key).ToList())
                    {
                        map[name] = map[name] is JsonObject o ? WithoutBooleanSchemas(o) : AsObject(map[name]);
                    }

                    break;
                case JsonArray list:
                    for (var i = 0; i < list.Count; i++)
                    {
                        list[i] = list[i] is JsonObject o ? WithoutBooleanSchemas(o) : AsObject(list[i]);
                    }

                    break;
            }
        }

        return schema;

        static JsonObject AsObject(JsonNode? boolean) =>
            boolean?.GetValueKind() == JsonValueKind.False ? new JsonObject { ["not"] = new JsonObject() } : [];
    }

    private static OpenApiSchema ProblemSchema()
    {
        static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An RFC 7807 problem: every error of the model serving endpoints.",
            Required = new HashSet<string>(StringComparer.Ordinal) { "type", "title", "status", "detail", "traceId" },
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", Description = $"The kind of problem: one of the URIs under {ModelServingProblemTypes.BaseUri}." },
                ["title"] = Text("A short summary of the kind of problem."),
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status code." },
                ["detail"] = Text("What went wrong with this request, and how to fix it."),
                ["instance"] = Text("The request the problem concerns, when known."),
                ["model_id"] = Text("The model the request named, when known."),
                ["model_version"] = Text("The version the request named or that answered, when known."),
                ["path"] = Text("The JSON path of the bad value in the request (such as $.features.distance_km), for invalid features."),
                ["traceId"] = Text("The request's trace id (W3C traceparent of the request's activity), to find it in logs and traces."),
            },
        };
    }

    private static void UseProblemSchema(OpenApiOperation operation, OpenApiDocument document)
    {
        if (operation.Responses is null)
        {
            return;
        }

        foreach (var response in operation.Responses.Values)
        {
            if (response.Content is { } content && content.TryGetValue(ProblemWriter.ContentType, out var media))
            {
                media.Schema = new OpenApiSchemaReference(ProblemSchemaId, document);
            }
        }
    }

    private static void DescribeInfer(OpenApiOperation operation, OpenApiDocument document, List<DescribedModel> models)
    {
        operation.Responses ??= new OpenApiResponses();
        operation.Responses["405"] = new OpenApiResponse
        {
            Description = "Method Not Allowed: another method than POST; the Allow header says POST.",
            Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal)
            {
                ["Allow"] = new OpenApiHeader { Description = "The allowed method: POST.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
            Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
            {
                [ProblemWriter.ContentType] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemSchemaId, document) },
            },
        };

        if (models.Count == 0)
        {
            return;
        }

        if (operation.RequestBody?.Content is { } requestContent && requestContent.TryGetValue(JsonContentType, out var request))
        {
            request.Schema = Choice(document, models, m => m.Names.Request);
            request.Examples = Examples(models, m => m.ExampleFeatures is { } features
                ? new JsonObject { ["model_id"] = m.Name, ["features"] = JsonSerializer.SerializeToNode(features) }
                : null);
        }

        if (operation.Responses.TryGetValue("200", out var ok) && ok.Content is { } okContent && okContent.TryGetValue(JsonContentType, out var answer))
        {
            answer.Schema = Choice(document, models, m => m.Names.Response);
            answer.Examples = Examples(models, m => m.ExampleOutput is { } output
                ? new JsonObject { ["model_id"] = m.Name, ["model_version"] = m.Version, ["output"] = JsonSerializer.SerializeToNode(output) }
                : null);
        }
    }

    /// <summary>One of the models' schemas, chosen by <c>model_id</c>.</summary>
    private static OpenApiSchema Choice(OpenApiDocument document, List<DescribedModel> models, Func<DescribedModel, string> schemaId) => new()
    {
        OneOf = [.. models.Select(m => (IOpenApiSchema)new OpenApiSchemaReference(schemaId(m), document))],
        Discriminator = new OpenApiDiscriminator
        {
            PropertyName = "model_id",
            Mapping = models.ToDictionary(m => m.Name, m => new OpenApiSchemaReference(schemaId(m), document), StringComparer.Ordinal),
        },
    };

    private static Dictionary<string, IOpenApiExample>? Examples(List<DescribedModel> models, Func<DescribedModel, JsonNode?> value)
    {
        var examples = new Dictionary<string, IOpenApiExample>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            if (value(model) is { } example)
            {
                examples[model.Name] = new OpenApiExample
                {
                    Summary = $"{model.Name}: the first passing self-test case of version {model.Version}",
                    Value = example,
                };
            }
        }

        return examples.Count == 0 ? null : examples;
    }

    /// <summary>Adds the app's health check endpoints (<c>MapHealthChecks</c>), which the API explorer does not see.</summary>
    private static void DescribeHealthChecks(OpenApiDocument document, IServiceProvider services)
    {
        if (services.GetService<EndpointDataSource>() is not { } endpoints)
        {
            return;
        }

        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern.RawText;
            if (endpoint.DisplayName != HealthDisplayName || pattern is null || pattern.Contains('{', StringComparison.Ordinal))
            {
                continue;
            }

            var path = "/" + pattern.TrimStart('/');
            document.Paths ??= new OpenApiPaths();
            if (document.Paths.ContainsKey(path))
            {
                continue;
            }

            document.Paths[path] = new OpenApiPathItem
            {
                Operations = new Dictionary<HttpMethod, OpenApiOperation>
                {
                    [HttpMethod.Get] = new OpenApiOperation
                    {
                        Tags = new HashSet<OpenApiTagReference> { new("Health", document) },
                        Summary = "A health check: Healthy, Degraded or Unhealthy.",
                        Description = $"Runs the app's health checks for this path (the model serving checks are tagged '{ModelServingHealthChecks.ReadyTag}' and '{ModelServingHealthChecks.LiveTag}').",
                        Responses = new OpenApiResponses
                        {
                            ["200"] = HealthResponse("Healthy or Degraded."),
                            ["503"] = HealthResponse("Unhealthy."),
                        },
                    },
                },
            };
            document.Tags ??= new HashSet<OpenApiTag>();
            if (!document.Tags.Any(t => t.Name == "Health"))
            {
                document.Tags.Add(new OpenApiTag { Name = "Health" });
            }
        }
    }

    private static OpenApiResponse HealthResponse(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
        {
            ["text/plain"] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("Healthy"), JsonValue.Create("Degraded"), JsonValue.Create("Unhealthy")] },
            },
        },
    };

    private sealed record DescribedModel(string Name, SchemaNames Names, string? Version, JsonElement? ExampleFeatures, JsonElement? ExampleOutput);

    /// <summary>The component names of a model's schemas (model names are valid component names).</summary>
    private sealed record SchemaNames(string Model)
    {
        public string Features => Model + ".Features";

        public string Output => Model + ".Output";

        public string Request => Model + ".InferenceRequest";

        public string Response => Model + ".InferenceResponse";
    }
}
