"""The LLM layer: one interface over llama.cpp (in-process), OpenAI-compatible servers and a fake backend.

Use `llm.factory.open_llm(...)` (or `open_llm_from_config(LLMConfig)`) to get an `llm.client.LLM`, then
`LLM.ask(template, variables, AnswerStruct, stage=...)`. CLI commands add the shared options with
`llm.options.llm_options` and turn them into an `LLMConfig` with `llm_config_from_options`.
"""
