"""The funnel and forecast: conversion, days in stage, hit rate, forecast."""
