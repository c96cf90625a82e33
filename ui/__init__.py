"""Streamlit and folium rendering shared by the pages: map builder, legend, i18n, tables."""
